// Runs in the CLI, inside the keeper's namespaces when rootless.
#include "engine/container_prune.h"

#include <ctime>

#include "engine/container_config.h"
#include "engine/container_logs.h"
#include "engine/container_remove.h"
#include "engine/container_state.h"
#include "engine/prune_filters.h"

namespace burrow::engine {
namespace {

bool container_matches(const PruneFilters& filters, const ContainerRecord& c) {
  if (filters.until_ns && c.created_ns >= *filters.until_ns) return false;
  if (filters.labels.empty() && filters.not_labels.empty()) return true;
  std::map<std::string, std::string> have;
  if (auto stored = stored_config(c)) {
    for (const auto& label : stored->options.labels) {
      size_t eq = label.find('=');
      have[label.substr(0, eq)] = eq == std::string::npos ? "" : label.substr(eq + 1);
    }
  }
  return filters.labels_pass(have);
}

}  // namespace

Result<PruneReport> prune_containers(Engine& engine, const std::vector<std::string>& filters) {
  BURROW_TRY(PruneFilters filter, parse_prune_filters(filters));
  ContainerStore store(engine.db());
  BURROW_TRY(auto records, store.list());
  PruneReport report;
  for (const auto& record : records) {
    if (is_active(record.state) && init_alive(record)) continue;
    if (!container_matches(filter, record)) continue;
    // Without force: a container started meanwhile is refused, not killed.
    auto removed = remove_container(engine, record.id, false);
    if (removed)
      report.removed.push_back(*removed);
    else if (removed.error().code != ENOENT)  // removed meanwhile (--rm)
      report.errors.push_back(removed.error());
  }
  return report;
}

}  // namespace burrow::engine

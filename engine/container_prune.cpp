// Runs in the CLI, inside the keeper's namespaces when rootless.
#include "engine/container_prune.h"

#include <ctime>

#include "base/clock.h"
#include "engine/container_config.h"
#include "engine/container_logs.h"
#include "engine/container_remove.h"
#include "engine/container_state.h"

namespace burrow::engine {
namespace {

struct PruneFilter {
  std::optional<int64_t> until_ns;
  std::vector<std::string> labels, not_labels;

  bool matches(const ContainerRecord& c) const {
    if (until_ns && c.created_ns >= *until_ns) return false;
    if (labels.empty() && not_labels.empty()) return true;
    auto stored = stored_config(c);
    std::vector<std::string> have = stored ? stored->options.labels : std::vector<std::string>{};
    auto has = [&](const std::string& wanted) {
      for (const auto& label : have)
        if (label == wanted || label.rfind(wanted + "=", 0) == 0) return true;
      return false;
    };
    for (const auto& wanted : labels)
      if (!has(wanted)) return false;
    for (const auto& unwanted : not_labels)
      if (has(unwanted)) return false;
    return true;
  }
};

Result<PruneFilter> parse_filters(const std::vector<std::string>& filters) {
  PruneFilter filter;
  for (const auto& text : filters) {
    if (text.rfind("label!=", 0) == 0) {
      filter.not_labels.push_back(text.substr(7));
    } else if (text.rfind("label=", 0) == 0) {
      filter.labels.push_back(text.substr(6));
    } else if (text.rfind("until=", 0) == 0) {
      BURROW_TRY(filter.until_ns, parse_log_time(text.substr(6), base::unix_now_ns()));
    } else {
      return base::failf(EINVAL, "invalid filter \"{}\": use until=, label= or label!=", text);
    }
  }
  return filter;
}

}  // namespace

Result<PruneReport> prune_containers(Engine& engine, const std::vector<std::string>& filters) {
  BURROW_TRY(PruneFilter filter, parse_filters(filters));
  ContainerStore store(engine.db());
  BURROW_TRY(auto records, store.list());
  PruneReport report;
  for (const auto& record : records) {
    if (is_active(record.state) && init_alive(record)) continue;
    if (!filter.matches(record)) continue;
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

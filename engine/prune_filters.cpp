#include "engine/prune_filters.h"

#include "base/clock.h"
#include "engine/container_logs.h"

namespace burrow::engine {

bool PruneFilters::labels_pass(const std::map<std::string, std::string>& have) const {
  auto has = [&](const std::string& wanted) {
    size_t eq = wanted.find('=');
    auto it = have.find(wanted.substr(0, eq));
    if (it == have.end()) return false;
    return eq == std::string::npos || it->second == wanted.substr(eq + 1);
  };
  for (const auto& wanted : labels)
    if (!has(wanted)) return false;
  for (const auto& unwanted : not_labels)
    if (has(unwanted)) return false;
  return true;
}

Result<PruneFilters> parse_prune_filters(const std::vector<std::string>& filters) {
  PruneFilters parsed;
  for (const auto& text : filters) {
    if (text.starts_with("label!=")) {
      parsed.not_labels.push_back(text.substr(7));
    } else if (text.starts_with("label=")) {
      parsed.labels.push_back(text.substr(6));
    } else if (text.starts_with("until=")) {
      BURROW_TRY(parsed.until_ns, parse_log_time(text.substr(6), base::unix_now_ns()));
    } else {
      return base::failf(EINVAL, "invalid filter \"{}\": use until=, label= or label!=", text);
    }
  }
  return parsed;
}

}  // namespace burrow::engine

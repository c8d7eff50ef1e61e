// The --filter values container prune and image prune share: until=TIME,
// label=KEY[=VALUE] and label!=KEY[=VALUE].
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace burrow::engine {

struct PruneFilters {
  std::optional<int64_t> until_ns;  // only what was created before
  std::vector<std::string> labels, not_labels;

  // Whether `have` passes the label filters: "KEY" matches any value,
  // "KEY=VALUE" only that one.
  bool labels_pass(const std::map<std::string, std::string>& have) const;
};

// An error names the filters that exist.
Result<PruneFilters> parse_prune_filters(const std::vector<std::string>& filters);

}  // namespace burrow::engine

// `burrow container prune`: removes every container that is not running.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"

namespace burrow::engine {

struct PruneReport {
  std::vector<std::string> removed;  // full ids
  std::vector<Error> errors;         // containers that could not be removed
};

// Filters: until=TIME (created before; RFC 3339, Unix seconds or a duration
// ago), label=KEY[=VALUE] and label!=KEY[=VALUE]. A bad filter is an error
// before anything is removed.
Result<PruneReport> prune_containers(Engine& engine, const std::vector<std::string>& filters);

}  // namespace burrow::engine

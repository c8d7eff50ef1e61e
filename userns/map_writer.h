// Writes an IdMapPlan into a process's user namespace. This is the one place
// that owns the fallback order: the setuid helpers for subordinate ranges,
// a direct write for the caller's own ids or when privileged.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/result.h"
#include "userns/id_map.h"

namespace burrow::userns {

struct MapHelpers {
  std::string newuidmap;  // full paths; empty when not installed
  std::string newgidmap;
  static MapHelpers find();
};

Status write_id_maps(pid_t pid, const IdMapPlan& plan, const MapHelpers& helpers, bool privileged);

}  // namespace burrow::userns

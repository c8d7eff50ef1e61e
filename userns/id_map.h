// Plans for the uid/gid maps of burrow's user namespace: plain data, shared by
// the rootless and the privileged paths; only the writer differs.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "userns/subid.h"

namespace burrow::userns {

struct IdMapEntry {
  uint32_t inside = 0;
  uint32_t outside = 0;
  uint32_t count = 0;
  bool operator==(const IdMapEntry&) const = default;
};

struct IdMapPlan {
  std::vector<IdMapEntry> uids;
  std::vector<IdMapEntry> gids;
  // Only the caller's own ids are mapped: no helper is needed, but the
  // container can use nothing but id 0.
  bool single_id = false;
};

// Container root is the caller; ids 1..N are the subordinate ranges in order.
// With no ranges at all, the plan is the single-id mapping.
IdMapPlan plan_rootless_maps(uid_t uid, gid_t gid, const std::vector<SubIdRange>& subuids,
                             const std::vector<SubIdRange>& subgids);

// The content of /proc/PID/uid_map for these entries.
std::string format_map_file(const std::vector<IdMapEntry>& entries);

// "inside outside count ..." as newuidmap/newgidmap take them after the pid.
std::vector<std::string> helper_arguments(const std::vector<IdMapEntry>& entries);

}  // namespace burrow::userns

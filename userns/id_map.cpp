#include "userns/id_map.h"

#include <fmt/core.h>

namespace burrow::userns {
namespace {

std::vector<IdMapEntry> plan_one(uint32_t own_id, const std::vector<SubIdRange>& ranges) {
  std::vector<IdMapEntry> entries{{0, own_id, 1}};
  uint32_t next_inside = 1;
  for (const auto& range : ranges) {
    entries.push_back({next_inside, range.start, range.count});
    next_inside += range.count;
  }
  return entries;
}

}  // namespace

IdMapPlan plan_rootless_maps(uid_t uid, gid_t gid, const std::vector<SubIdRange>& subuids,
                             const std::vector<SubIdRange>& subgids) {
  IdMapPlan plan;
  // Both maps need ranges: a user namespace with 65536 uids but one gid would
  // fail on the first chown of a layer to a group other than root.
  plan.single_id = subuids.empty() || subgids.empty();
  if (plan.single_id) {
    plan.uids = {{0, uid, 1}};
    plan.gids = {{0, gid, 1}};
    return plan;
  }
  plan.uids = plan_one(uid, subuids);
  plan.gids = plan_one(gid, subgids);
  return plan;
}

std::string format_map_file(const std::vector<IdMapEntry>& entries) {
  std::string out;
  for (const auto& e : entries) out += fmt::format("{} {} {}\n", e.inside, e.outside, e.count);
  return out;
}

std::vector<std::string> helper_arguments(const std::vector<IdMapEntry>& entries) {
  std::vector<std::string> args;
  for (const auto& e : entries) {
    args.push_back(std::to_string(e.inside));
    args.push_back(std::to_string(e.outside));
    args.push_back(std::to_string(e.count));
  }
  return args;
}

}  // namespace burrow::userns

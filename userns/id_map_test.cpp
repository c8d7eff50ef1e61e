#include "userns/id_map.h"

#include <gtest/gtest.h>

namespace burrow::userns {
namespace {

TEST(IdMap, RootIsCallerAndRangesFollow) {
  auto plan = plan_rootless_maps(1000, 1001, {{100000, 65536}, {300000, 10}}, {{200000, 65536}});
  EXPECT_FALSE(plan.single_id);
  EXPECT_EQ(plan.uids,
            (std::vector<IdMapEntry>{{0, 1000, 1}, {1, 100000, 65536}, {65537, 300000, 10}}));
  EXPECT_EQ(plan.gids, (std::vector<IdMapEntry>{{0, 1001, 1}, {1, 200000, 65536}}));
  EXPECT_EQ(format_map_file(plan.uids), "0 1000 1\n1 100000 65536\n65537 300000 10\n");
  EXPECT_EQ(helper_arguments(plan.gids),
            (std::vector<std::string>{"0", "1001", "1", "1", "200000", "65536"}));
}

TEST(IdMap, NoRangesMeansSingleId) {
  auto plan = plan_rootless_maps(1000, 1000, {}, {{200000, 65536}});
  EXPECT_TRUE(plan.single_id);
  EXPECT_EQ(plan.uids, (std::vector<IdMapEntry>{{0, 1000, 1}}));
  EXPECT_EQ(plan.gids, (std::vector<IdMapEntry>{{0, 1000, 1}}));
}

}  // namespace
}  // namespace burrow::userns

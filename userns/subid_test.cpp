#include "userns/subid.h"

#include <gtest/gtest.h>

namespace burrow::userns {
namespace {

TEST(SubId, MatchesNameAndNumericOwner) {
  std::string content =
      "alice:100000:65536\n"
      "1001:200000:1000\n"
      "bob:300000:65536\n";
  auto ranges = parse_subid_file(content, "alice", 1001);
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0], (SubIdRange{100000, 65536}));
  EXPECT_EQ(ranges[1], (SubIdRange{200000, 1000}));
  EXPECT_EQ(total_ids(ranges), 66536u);
}

TEST(SubId, SkipsCommentsBlankAndMalformedLines) {
  std::string content =
      "# comment\n"
      "\n"
      "alice:abc:10\n"
      "alice:10\n"
      "alice:5:0\n"
      "alice:4294967295:10\n"
      "  alice:500:20  \n";
  auto ranges = parse_subid_file(content, "alice", 1000);
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0], (SubIdRange{500, 20}));
}

TEST(SubId, NoMatchingOwner) { EXPECT_TRUE(parse_subid_file("bob:1:2\n", "alice", 1000).empty()); }

TEST(SubId, MissingFileMeansNoRanges) {
  auto ranges = read_subid_ranges("/nonexistent/subuid", "alice", 1000);
  ASSERT_TRUE(ranges);
  EXPECT_TRUE(ranges->empty());
}

}  // namespace
}  // namespace burrow::userns

#include "base/go_duration.h"

#include <gtest/gtest.h>

namespace burrow::base {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kS = 1'000'000'000;

TEST(ParseGoDuration, ReadsWhatGoReads) {
  EXPECT_EQ(parse_go_duration("0"), 0);
  EXPECT_EQ(parse_go_duration("30s"), 30 * kS);
  EXPECT_EQ(parse_go_duration("1m30s"), 90 * kS);
  EXPECT_EQ(parse_go_duration("500ms"), 500 * kMs);
  EXPECT_EQ(parse_go_duration("1.5h"), 5400 * kS);
  EXPECT_EQ(parse_go_duration("-1.5s"), -1500 * kMs);
  EXPECT_EQ(parse_go_duration("2us"), 2000);
  EXPECT_EQ(parse_go_duration("2\u00b5s"), 2000);
  EXPECT_EQ(parse_go_duration("7ns"), 7);
}

TEST(ParseGoDuration, RefusesWhatGoRefuses) {
  for (const char* bad : {"", "30", "1x", "s", "1.s5", "--1s", "9999999999h", "1 s"})
    EXPECT_FALSE(parse_go_duration(bad)) << bad;
}

TEST(FormatGoDuration, MatchesGoDurationString) {
  EXPECT_EQ(format_go_duration(0), "0s");
  EXPECT_EQ(format_go_duration(7), "7ns");
  EXPECT_EQ(format_go_duration(1'000), "1\u00b5s");
  EXPECT_EQ(format_go_duration(250 * kMs), "250ms");
  EXPECT_EQ(format_go_duration(1'500 * kMs), "1.5s");
  EXPECT_EQ(format_go_duration(61 * kS), "1m1s");
  EXPECT_EQ(format_go_duration(3'600 * kS), "1h0m0s");
  EXPECT_EQ(format_go_duration(2 * 3'600 * kS + 5 * 60 * kS + 38 * kS + 737'137'571),
            "2h5m38.737137571s");
  EXPECT_EQ(format_go_duration(-2 * kS), "-2s");
}

TEST(GoDuration, FormattedDurationsParseBack) {
  for (int64_t ns : {int64_t{1}, 999 * kMs, 3'723 * kS + 5, -90 * kS})
    EXPECT_EQ(parse_go_duration(format_go_duration(ns)), ns) << ns;
}

}  // namespace
}  // namespace burrow::base

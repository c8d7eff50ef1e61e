#include "base/strings.h"

#include <gtest/gtest.h>

namespace burrow::base {
namespace {

TEST(Strings, SplitKeepsEmptyFields) {
  EXPECT_EQ(split("a::b", ':'), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split("", ':'), (std::vector<std::string>{""}));
}

TEST(Strings, SplitWhitespaceDropsEmptyFields) {
  EXPECT_EQ(split_whitespace("  a\tb \n c  "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(split_whitespace(" \t ").empty());
}

TEST(Strings, Trim) { EXPECT_EQ(trim("  x y \n"), "x y"); }

TEST(Strings, HumanSizeMatchesPodman) {
  EXPECT_EQ(human_size(0), "0 B");
  EXPECT_EQ(human_size(999), "999 B");
  EXPECT_EQ(human_size(1500), "1.5 kB");
  EXPECT_EQ(human_size(2240000), "2.24 MB");
}

TEST(Strings, HumanDurationAgo) {
  EXPECT_EQ(human_duration_ago(5), "5 seconds ago");
  EXPECT_EQ(human_duration_ago(60), "About a minute ago");
  EXPECT_EQ(human_duration_ago(600), "10 minutes ago");
  EXPECT_EQ(human_duration_ago(3 * 86400), "3 days ago");
}

}  // namespace
}  // namespace burrow::base

#include "cli/terminal.h"

#include <gtest/gtest.h>

#include <string>

namespace burrow::cli {
namespace {

std::string keys(std::string_view text) {
  auto parsed = parse_detach_keys(text);
  EXPECT_TRUE(parsed) << text << ": " << parsed.error().message;
  return parsed ? *parsed : "";
}

TEST(DetachKeys, TheDefaultIsCtrlPCtrlQ) { EXPECT_EQ(keys(kDefaultDetachKeys), "\x10\x11"); }

TEST(DetachKeys, ControlLettersAndSymbols) {
  EXPECT_EQ(keys("ctrl-a"), "\x01");
  EXPECT_EQ(keys("ctrl-z"), "\x1a");
  EXPECT_EQ(keys("ctrl-@"), std::string(1, '\0'));
  EXPECT_EQ(keys("ctrl-["), "\x1b");
  EXPECT_EQ(keys("ctrl-\\"), "\x1c");
  EXPECT_EQ(keys("ctrl-]"), "\x1d");
  EXPECT_EQ(keys("ctrl-^"), "\x1e");
  EXPECT_EQ(keys("ctrl-_"), "\x1f");
  EXPECT_EQ(keys("ctrl-X"), "\x18");
}

TEST(DetachKeys, SingleCharactersAndMixes) {
  EXPECT_EQ(keys("a"), "a");
  EXPECT_EQ(keys("ctrl-a,b,ctrl-c"),
            "\x01"
            "b\x03");
  EXPECT_EQ(keys("q,q"), "qq");
}

TEST(DetachKeys, EmptyDisablesDetaching) { EXPECT_EQ(keys(""), ""); }

TEST(DetachKeys, InvalidKeysAreErrorsNamingThem) {
  for (const char* bad :
       {"ctrl-", "ctrl-1", "ctrl-ab", "shift-a", "ab", "ctrl-a,", ",", "ctrl-p,,q"}) {
    auto parsed = parse_detach_keys(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, EINVAL);
    EXPECT_NE(parsed.error().message.find("invalid detach keys"), std::string::npos);
  }
}

struct Fed {
  std::string out;
  bool detached;
};

Fed feed(DetachMatcher& matcher, std::string_view input) {
  Fed fed{"", false};
  fed.detached = matcher.feed(input, fed.out);
  return fed;
}

TEST(DetachMatcher, PassesOrdinaryInputThrough) {
  DetachMatcher matcher("\x10\x11");
  Fed fed = feed(matcher, "echo hi\r");
  EXPECT_FALSE(fed.detached);
  EXPECT_EQ(fed.out, "echo hi\r");
}

TEST(DetachMatcher, DetectsTheSequenceAndKeepsWhatCameBefore) {
  DetachMatcher matcher("\x10\x11");
  Fed fed = feed(matcher, "ls\x10\x11tail");
  EXPECT_TRUE(fed.detached);
  EXPECT_EQ(fed.out, "ls");
}

TEST(DetachMatcher, TheSequenceMaySpanReads) {
  DetachMatcher matcher("\x10\x11");
  Fed first = feed(matcher, "x\x10");
  EXPECT_FALSE(first.detached);
  EXPECT_EQ(first.out, "x");
  Fed second = feed(matcher, "\x11");
  EXPECT_TRUE(second.detached);
  EXPECT_EQ(second.out, "");
}

TEST(DetachMatcher, AHeldBackPrefixIsReleasedWhenTheSequenceBreaks) {
  DetachMatcher matcher("\x10\x11");
  Fed first = feed(matcher, "\x10");
  EXPECT_EQ(first.out, "");
  Fed second = feed(matcher, "a");
  EXPECT_FALSE(second.detached);
  EXPECT_EQ(second.out,
            "\x10"
            "a");
}

TEST(DetachMatcher, ABrokenPrefixMayStartTheSequenceAgain) {
  DetachMatcher matcher("\x10\x11");
  Fed fed = feed(matcher, "\x10\x10\x11");
  EXPECT_TRUE(fed.detached);
  EXPECT_EQ(fed.out, "\x10");
}

TEST(DetachMatcher, RepeatedKeys) {
  DetachMatcher matcher("qq");
  Fed fed = feed(matcher, "aqbqq");
  EXPECT_TRUE(fed.detached);
  EXPECT_EQ(fed.out, "aqb");
}

TEST(DetachMatcher, ASingleKeyDetachesAtOnce) {
  DetachMatcher matcher("\x01");
  Fed fed = feed(matcher,
                 "ab\x01"
                 "c");
  EXPECT_TRUE(fed.detached);
  EXPECT_EQ(fed.out, "ab");
}

TEST(DetachMatcher, NoKeysNeverDetach) {
  DetachMatcher matcher("");
  Fed fed = feed(matcher, "\x10\x11");
  EXPECT_FALSE(fed.detached);
  EXPECT_EQ(fed.out, "\x10\x11");
}

}  // namespace
}  // namespace burrow::cli

#include "base/base64.h"

#include <gtest/gtest.h>

namespace burrow::base {
namespace {

TEST(Base64, EncodesWithPadding) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("user:pa ss"), "dXNlcjpwYSBzcw==");
}

TEST(Base64, DecodesWhatItEncodes) {
  std::string binary("\x00\xff\x10 :x", 6);
  EXPECT_EQ(base64_decode(base64_encode(binary)), binary);
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zg=="), "f");
}

TEST(Base64, RejectsMalformedInput) {
  EXPECT_EQ(base64_decode("Zm8"), std::nullopt);       // not a multiple of 4
  EXPECT_EQ(base64_decode("Z!8="), std::nullopt);      // outside the alphabet
  EXPECT_EQ(base64_decode("Z=8="), std::nullopt);      // padding in the middle
  EXPECT_EQ(base64_decode("Zg==Zg=="), std::nullopt);  // padding before the end
  EXPECT_EQ(base64_decode("Zm9v\n"), std::nullopt);
}

}  // namespace
}  // namespace burrow::base

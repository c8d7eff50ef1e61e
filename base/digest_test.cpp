#include "base/digest.h"

#include <gtest/gtest.h>

namespace burrow::base {
namespace {

TEST(Digest, KnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_digest(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Digest, IncrementalMatchesOneShot) {
  Sha256 hash;
  hash.update("a");
  hash.update("bc");
  EXPECT_EQ(hash.finish_hex(), sha256_hex("abc"));
}

TEST(Digest, ParseAcceptsCanonicalForm) {
  std::string hex(64, 'a');
  auto parsed = parse_sha256_digest("sha256:" + hex);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, hex);
}

TEST(Digest, ParseRefusesPathsAndOtherAlgorithms) {
  EXPECT_FALSE(parse_sha256_digest("sha512:" + std::string(128, 'a')));
  EXPECT_FALSE(parse_sha256_digest("sha256:../../etc/passwd"));
  EXPECT_FALSE(parse_sha256_digest("sha256:" + std::string(63, 'a')));
  EXPECT_FALSE(parse_sha256_digest("sha256:" + std::string(64, 'A')));
  EXPECT_FALSE(parse_sha256_digest(""));
}

}  // namespace
}  // namespace burrow::base

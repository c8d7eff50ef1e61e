#include "image/reference.h"

#include <gtest/gtest.h>

namespace burrow::image {
namespace {

struct ValidCase {
  const char* input;
  const char* domain;
  const char* path;
  const char* tag;
  const char* digest;
};

const std::string kDigest = "sha256:" + std::string(64, 'a');

TEST(ReferenceTest, ParsesValidReferences) {
  const ValidCase cases[] = {
      {"busybox", "", "busybox", "latest", ""},
      {"busybox:1.36", "", "busybox", "1.36", ""},
      {"library/busybox", "", "library/busybox", "latest", ""},
      {"docker.io/alpine", "docker.io", "library/alpine", "latest", ""},
      {"index.docker.io/alpine:3", "docker.io", "library/alpine", "3", ""},
      {"docker.io/foo/bar", "docker.io", "foo/bar", "latest", ""},
      {"localhost/busybox", "localhost", "busybox", "latest", ""},
      {"localhost:5000/a/b:v1", "localhost:5000", "a/b", "v1", ""},
      {"quay.io/org/img_x.y-z__w:T_1.0-rc", "quay.io", "org/img_x.y-z__w", "T_1.0-rc", ""},
      {"[::1]:5000/img", "[::1]:5000", "img", "latest", ""},
      {"Registry.Example.com/img", "Registry.Example.com", "img", "latest", ""},
      {"a---b", "", "a---b", "latest", ""},
  };
  for (const auto& c : cases) {
    auto ref = parse_reference(c.input);
    ASSERT_TRUE(ref) << c.input << ": " << ref.error().message;
    EXPECT_EQ(ref->domain, c.domain) << c.input;
    EXPECT_EQ(ref->path, c.path) << c.input;
    EXPECT_EQ(ref->tag, c.tag) << c.input;
    EXPECT_EQ(ref->digest, c.digest) << c.input;
  }
}

TEST(ReferenceTest, DigestWithoutTagKeepsTagEmpty) {
  auto ref = parse_reference("quay.io/a/b@" + kDigest);
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->tag, "");
  EXPECT_EQ(ref->digest, kDigest);
  EXPECT_EQ(ref->to_string(), "quay.io/a/b@" + kDigest);

  auto both = parse_reference("quay.io/a/b:1@" + kDigest);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->to_string(), "quay.io/a/b:1@" + kDigest);
}

TEST(ReferenceTest, RejectsInvalidReferences) {
  const char* cases[] = {
      "",
      ":latest",
      "busybox:",
      "busybox:-tag",
      "busybox:tag!",
      "a//b",
      "/busybox",
      "busybox/",
      "_busybox",
      "busybox_",
      "bus...box",
      "bus___box",
      "busybox@sha256:abc",
      "busybox@md5:0123",
      "exa mple/img",
      "example.com:port/img",
      "-example.com/img",
  };
  for (const char* input : cases) {
    auto ref = parse_reference(input);
    ASSERT_FALSE(ref) << "accepted \"" << input << "\"";
    EXPECT_NE(ref.error().message.find("invalid reference format"), std::string::npos)
        << ref.error().message;
  }
}

TEST(ReferenceTest, UpperCaseRepositoryHasClearError) {
  auto ref = parse_reference("docker.io/Library/BusyBox");
  ASSERT_FALSE(ref);
  EXPECT_EQ(ref.error().message, "invalid reference format: repository name must be lowercase");
  // Without a slash there is no domain to absorb the capitals.
  EXPECT_FALSE(parse_reference("BusyBox"));
}

TEST(ReferenceTest, RejectsLongNamesTagsAndHexNames) {
  EXPECT_FALSE(parse_reference(std::string(256, 'a')));
  EXPECT_TRUE(parse_reference("a:" + std::string(128, 't')));
  EXPECT_FALSE(parse_reference("a:" + std::string(129, 't')));
  auto hex = parse_reference(std::string(64, 'f'));
  ASSERT_FALSE(hex);
  EXPECT_NE(hex.error().message.find("64-byte hexadecimal"), std::string::npos);
  EXPECT_TRUE(parse_reference("localhost/" + std::string(64, 'f')));
}

TEST(ReferenceTest, NameAndToString) {
  auto ref = parse_reference("localhost/busybox");
  ASSERT_TRUE(ref);
  EXPECT_FALSE(ref->is_short_name());
  EXPECT_EQ(ref->name(), "localhost/busybox");
  EXPECT_EQ(ref->to_string(), "localhost/busybox:latest");

  auto short_ref = parse_reference("busybox:1.0");
  ASSERT_TRUE(short_ref);
  EXPECT_TRUE(short_ref->is_short_name());
  EXPECT_EQ(short_ref->to_string(), "busybox:1.0");
}

TEST(ReferenceTest, QualifiesShortNames) {
  auto ref = parse_reference("alpine");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->qualified(kDockerDomain).to_string(), "docker.io/library/alpine:latest");
  EXPECT_EQ(ref->qualified(kLocalDomain).to_string(), "localhost/alpine:latest");
  auto normalized = parse_normalized_reference("foo/bar:2");
  ASSERT_TRUE(normalized);
  EXPECT_EQ(normalized->to_string(), "docker.io/foo/bar:2");
  auto full = parse_normalized_reference("quay.io/x/y");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->to_string(), "quay.io/x/y:latest");
}

TEST(ReferenceTest, LocalCandidates) {
  EXPECT_EQ(local_candidates("busybox:1.0"),
            (std::vector<std::string>{"localhost/busybox:1.0", "docker.io/library/busybox:1.0"}));
  EXPECT_EQ(local_candidates("foo/bar"),
            (std::vector<std::string>{"localhost/foo/bar:latest", "docker.io/foo/bar:latest"}));
  EXPECT_EQ(local_candidates("quay.io/a/b:2"), (std::vector<std::string>{"quay.io/a/b:2"}));
  EXPECT_EQ(local_candidates("docker.io/alpine"),
            (std::vector<std::string>{"docker.io/library/alpine:latest"}));
  EXPECT_TRUE(local_candidates("Bad Name").empty());
}

TEST(ReferenceTest, ShortNameMatchesComponentWise) {
  auto busybox = parse_reference("busybox:1.0");
  ASSERT_TRUE(busybox);
  EXPECT_TRUE(short_name_matches(*busybox, "localhost/busybox:1.0"));
  EXPECT_TRUE(short_name_matches(*busybox, "docker.io/library/busybox:1.0"));
  EXPECT_TRUE(short_name_matches(*busybox, "quay.io/team/busybox:1.0"));
  EXPECT_FALSE(short_name_matches(*busybox, "quay.io/team/mybusybox:1.0"));
  EXPECT_FALSE(short_name_matches(*busybox, "localhost/busybox:latest"));
  EXPECT_FALSE(short_name_matches(*busybox, "localhost/busybox/extra:1.0"));
  EXPECT_FALSE(short_name_matches(*busybox, "not a name"));

  auto nested = parse_reference("library/busybox");
  ASSERT_TRUE(nested);
  EXPECT_TRUE(short_name_matches(*nested, "docker.io/library/busybox:latest"));
  EXPECT_FALSE(short_name_matches(*nested, "localhost/busybox:latest"));

  auto qualified = parse_reference("localhost/busybox");
  ASSERT_TRUE(qualified);
  EXPECT_TRUE(short_name_matches(*qualified, "localhost/busybox:latest"));
  EXPECT_FALSE(short_name_matches(*qualified, "docker.io/library/busybox:latest"));

  auto by_digest = parse_reference("busybox@" + kDigest);
  ASSERT_TRUE(by_digest);
  EXPECT_TRUE(short_name_matches(*by_digest, "docker.io/library/busybox@" + kDigest));
  EXPECT_FALSE(short_name_matches(*by_digest, "docker.io/library/busybox:latest"));
}

TEST(ReferenceTest, LooksLikeIdPrefix) {
  EXPECT_TRUE(looks_like_id_prefix("abc"));
  EXPECT_TRUE(looks_like_id_prefix("0123456789abcdef"));
  EXPECT_TRUE(looks_like_id_prefix(std::string(64, 'e')));
  EXPECT_TRUE(looks_like_id_prefix("sha256:" + std::string(12, '1')));
  EXPECT_FALSE(looks_like_id_prefix("ab"));
  EXPECT_FALSE(looks_like_id_prefix(std::string(65, 'e')));
  EXPECT_FALSE(looks_like_id_prefix("busybox"));
  EXPECT_FALSE(looks_like_id_prefix("ABCDEF"));
  EXPECT_FALSE(looks_like_id_prefix("sha256:"));
}

}  // namespace
}  // namespace burrow::image

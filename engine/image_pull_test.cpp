#include "engine/image_pull.h"

#include <gtest/gtest.h>

#include "engine/image_push.h"
#include "engine/registry_access.h"

namespace burrow::engine {
namespace {

TEST(PullPolicy, PodmanAndDockerSpellings) {
  EXPECT_EQ(parse_pull_policy("always"), PullPolicy::kAlways);
  EXPECT_EQ(parse_pull_policy("true"), PullPolicy::kAlways);
  EXPECT_EQ(parse_pull_policy("missing"), PullPolicy::kMissing);
  EXPECT_EQ(parse_pull_policy("ifnotpresent"), PullPolicy::kMissing);
  EXPECT_EQ(parse_pull_policy("never"), PullPolicy::kNever);
  EXPECT_EQ(parse_pull_policy("false"), PullPolicy::kNever);
  EXPECT_EQ(parse_pull_policy("newer"), PullPolicy::kNewer);
  auto bad = parse_pull_policy("sometimes");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("always, missing, never or newer"), std::string::npos);
}

TEST(Credentials, UserAndOptionalPassword) {
  auto both = parse_credentials("alice:s3:cret");
  ASSERT_TRUE(both);
  EXPECT_EQ(both->username, "alice");
  EXPECT_EQ(both->password, "s3:cret");  // only the first colon separates
  auto user_only = parse_credentials("bob");
  ASSERT_TRUE(user_only);
  EXPECT_EQ(user_only->username, "bob");
  EXPECT_EQ(user_only->password, "");
  EXPECT_FALSE(parse_credentials(""));
  EXPECT_FALSE(parse_credentials(":password"));
}

TEST(ManifestFormat, OciAndDockerSchema2) {
  EXPECT_EQ(parse_manifest_format("oci"), ManifestFormat::kOci);
  EXPECT_EQ(parse_manifest_format("v2s2"), ManifestFormat::kDockerV2);
  EXPECT_EQ(parse_manifest_format("docker"), ManifestFormat::kDockerV2);
  EXPECT_FALSE(parse_manifest_format("v2s1"));
}

}  // namespace
}  // namespace burrow::engine

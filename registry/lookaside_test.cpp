// registries.d lookaside configuration, signature URLs and file:// storage.
#include "registry/lookaside.h"

#include <gtest/gtest.h>

#include "registry/config_test_util.h"

namespace burrow::registry {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'd');
const std::string kHex = std::string(64, 'd');

image::Reference image_ref(std::string_view text) { return *image::parse_reference(text); }

LookasideConfig config(const std::string& yaml) {
  LookasideConfig out;
  auto merged = merge_lookaside_yaml(yaml, "test.yaml", out);
  EXPECT_TRUE(merged) << merged.error().message;
  return out;
}

TEST(LookasideTest, BuildsSignatureUrls) {
  LookasideConfig parsed =
      config("default-docker:\n  lookaside: https://sigs.example.com/store/\n");
  EXPECT_EQ(signature_url(parsed, image_ref("quay.io/ns/app:v1"), kDigest, 1, false),
            "https://sigs.example.com/store/ns/app@sha256=" + kHex + "/signature-1");
  EXPECT_EQ(signature_url(parsed, image_ref("docker.io/busybox"), kDigest, 3, true),
            "https://sigs.example.com/store/library/busybox@sha256=" + kHex + "/signature-3");
  EXPECT_EQ(signature_url(parsed, image_ref("quay.io/a"), "sha256:../../x", 1, false),
            std::nullopt);
  EXPECT_EQ(signature_url(LookasideConfig{}, image_ref("quay.io/a"), kDigest, 1, false),
            std::nullopt);
}

TEST(LookasideTest, MostSpecificScopeWinsAndStagingIsForWriting) {
  LookasideConfig parsed = config(R"(
default-docker:
  lookaside: file:///default
docker:
  r.example.com:
    sigstore: file:///host
    sigstore-staging: file:///host-staging
  r.example.com/ns:
    lookaside: file:///ns
  r.example.com/ns/app:v1:
    lookaside: file:///exact
  r.example.com/empty:
    use-sigstore-attachments: true
)");
  auto base = [&](std::string_view name, bool write) {
    std::string url = signature_url(parsed, image_ref(name), kDigest, 1, write).value_or("");
    return url.substr(0, url.find('/', std::string_view("file:///").size()));
  };
  EXPECT_EQ(base("r.example.com/ns/app:v1", false), "file:///exact");
  EXPECT_EQ(base("r.example.com/ns/app:v2", false), "file:///ns");
  EXPECT_EQ(base("r.example.com/other/app", false), "file:///host");
  EXPECT_EQ(base("r.example.com/other/app", true), "file:///host-staging");
  EXPECT_EQ(base("r.example.com/ns/app:v2", true), "file:///ns");
  EXPECT_EQ(base("r.example.com/empty/app", false), "file:///host");
  EXPECT_EQ(base("quay.io/app", false), "file:///default");
  LookasideConfig builtin;
  builtin.builtin_default = "file:///var/lib/containers/sigstore";
  EXPECT_EQ(signature_url(builtin, image_ref("quay.io/app"), kDigest, 2, false),
            "file:///var/lib/containers/sigstore/app@sha256=" + kHex + "/signature-2");
}

TEST(LookasideTest, RejectsConflictingDefinitions) {
  LookasideConfig merged;
  ASSERT_TRUE(
      merge_lookaside_yaml("docker:\n  quay.io:\n    lookaside: file:///a\n", "a.yaml", merged));
  auto twice =
      merge_lookaside_yaml("docker:\n  quay.io:\n    lookaside: file:///b\n", "b.yaml", merged);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().message, "b.yaml: docker scope \"quay.io\" is already defined in a.yaml");
  ASSERT_TRUE(merge_lookaside_yaml("default-docker:\n  lookaside: file:///a\n", "a.yaml", merged));
  EXPECT_FALSE(merge_lookaside_yaml("default-docker:\n  lookaside: file:///b\n", "c.yaml", merged));
  auto both = merge_lookaside_yaml(
      "docker:\n  x.io:\n    lookaside: file:///a\n    sigstore: file:///b\n", "d.yaml", merged);
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().message.find("both lookaside and sigstore"), std::string::npos);
  auto broken = merge_lookaside_yaml("docker: [\n", "e.yaml", merged);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("e.yaml: invalid YAML"), std::string::npos);
}

TEST(LookasideTest, PrefersTheUserDirectoryAndTheFlag) {
  testing::TempDir dir;
  testing::ScopedEnv env;
  env.set("XDG_CONFIG_HOME", dir.path());
  EXPECT_EQ(lookaside_config_dir(std::nullopt), "/etc/containers/registries.d");
  dir.write("containers/registries.d/b.yaml", "docker:\n  quay.io:\n    lookaside: file:///b\n");
  dir.write("containers/registries.d/a.yaml", "default-docker:\n  lookaside: file:///a\n");
  dir.write("containers/registries.d/ignored.yml", "default-docker:\n  lookaside: file:///x\n");
  EXPECT_EQ(lookaside_config_dir(std::nullopt), dir.path() + "/containers/registries.d");
  auto loaded = load_lookaside_config(std::nullopt);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->default_docker->lookaside, "file:///a");
  EXPECT_EQ(loaded->docker.at("quay.io").origin, dir.path() + "/containers/registries.d/b.yaml");
  EXPECT_EQ(lookaside_config_dir(std::string("/flag/dir")), "/flag/dir");
  auto missing = load_lookaside_config(dir.path() + "/none");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->default_docker);
}

TEST(LookasideTest, StoresAndReadsFileSignatures) {
  testing::TempDir dir;
  LookasideConfig parsed =
      config("default-docker:\n  lookaside: file://" + dir.path() +
             "/sigs\n  lookaside-staging: file://" + dir.path() + "/staging\n");
  image::Reference image = image_ref("quay.io/ns/app:v1");
  auto first = store_lookaside_signature(parsed, image, kDigest, "one");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, dir.path() + "/staging/ns/app@sha256=" + kHex + "/signature-1");
  auto second = store_lookaside_signature(parsed, image, kDigest, "two");
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, dir.path() + "/staging/ns/app@sha256=" + kHex + "/signature-2");

  parsed.default_docker->lookaside = parsed.default_docker->lookaside_staging;
  auto read = read_lookaside_signatures(parsed, image, kDigest, nullptr);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, (std::vector<std::string>{"one", "two"}));
  auto none = read_lookaside_signatures(parsed, image, "sha256:" + std::string(64, 'e'), nullptr);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(LookasideTest, HttpLookasidesGoThroughTheFetcher) {
  LookasideConfig parsed = config("default-docker:\n  lookaside: https://sigs.example.com\n");
  image::Reference image = image_ref("quay.io/app");
  EXPECT_FALSE(read_lookaside_signatures(parsed, image, kDigest, nullptr));
  std::vector<std::string> asked;
  auto fetched = read_lookaside_signatures(
      parsed, image, kDigest, [&](const std::string& url) -> Result<std::optional<std::string>> {
        asked.push_back(url);
        if (asked.size() == 3) return std::nullopt;
        return std::optional<std::string>("sig" + std::to_string(asked.size()));
      });
  ASSERT_TRUE(fetched);
  EXPECT_EQ(*fetched, (std::vector<std::string>{"sig1", "sig2"}));
  EXPECT_EQ(asked.at(0), "https://sigs.example.com/app@sha256=" + kHex + "/signature-1");
  auto write = store_lookaside_signature(parsed, image, kDigest, "sig");
  ASSERT_FALSE(write);
  EXPECT_NE(write.error().message.find("configure a file:// lookaside-staging"), std::string::npos);
}

}  // namespace
}  // namespace burrow::registry

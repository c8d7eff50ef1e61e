#include "image/manifest.h"

#include <gtest/gtest.h>

namespace burrow::image {
namespace {

const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestB = "sha256:" + std::string(64, 'b');
const std::string kDigestC = "sha256:" + std::string(64, 'c');

std::string descriptor(std::string_view type, const std::string& digest, int size = 10,
                       const std::string& extra = "") {
  return R"({"mediaType":")" + std::string(type) + R"(","digest":")" + digest + R"(","size":)" +
         std::to_string(size) + extra + "}";
}

std::string manifest_json(std::string_view type, std::string_view layer_type) {
  return R"({"schemaVersion":2,"mediaType":")" + std::string(type) + R"(","config":)" +
         descriptor(media_type::kOciConfig, kDigestA) + R"(,"layers":[)" +
         descriptor(layer_type, kDigestB, 20) + "]}";
}

TEST(ManifestTest, ParsesOciManifest) {
  auto m = parse_manifest(manifest_json(media_type::kOciManifest, media_type::kOciLayerGzip));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->media_type, media_type::kOciManifest);
  EXPECT_EQ(m->config.digest, kDigestA);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].size, 20);
  EXPECT_EQ(m->layers[0].media_type, media_type::kOciLayerGzip);
}

TEST(ManifestTest, ParsesDockerSchema2Manifest) {
  std::string json = R"({"schemaVersion":2,"mediaType":")" +
                     std::string(media_type::kDockerManifest) + R"(","config":)" +
                     descriptor(media_type::kDockerConfig, kDigestA) + R"(,"layers":[)" +
                     descriptor(media_type::kDockerLayerGzip, kDigestB) + "]}";
  auto m = parse_manifest(json);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->config.media_type, media_type::kDockerConfig);
}

TEST(ManifestTest, MediaTypeIsOptionalInOci) {
  std::string json = R"({"schemaVersion":2,"config":)" +
                     descriptor(media_type::kOciConfig, kDigestA) + R"(,"layers":[]})";
  auto m = parse_manifest(json);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->media_type, "");
  EXPECT_EQ(detect_manifest_media_type(json).value(), media_type::kOciManifest);
}

TEST(ManifestTest, RejectsBadManifests) {
  struct Case {
    std::string json;
    std::string expect;
  } cases[] = {
      {R"({"schemaVersion":1})", "schemaVersion"},
      {R"({"schemaVersion":2,"layers":[]})", "\"config\""},
      {R"({"schemaVersion":2,"config":)" + descriptor(media_type::kOciConfig, "sha256:zz") +
           R"(,"layers":[]})",
       "config.digest"},
      {R"({"schemaVersion":2,"config":)" + descriptor(media_type::kOciConfig, kDigestA, -1) +
           R"(,"layers":[]})",
       "config.size"},
      {R"({"schemaVersion":2,"config":)" + descriptor("application/x-helm", kDigestA) +
           R"(,"layers":[]})",
       "not a container image config"},
      {manifest_json(media_type::kOciManifest, "application/x-unknown"), "layers[0]"},
      {manifest_json(media_type::kOciIndex, media_type::kOciLayer), "not an image manifest"},
      {R"({"schemaVersion":2,"config":)" + descriptor(media_type::kOciConfig, kDigestA) + "}",
       "\"layers\""},
      {"[1,2]", "expected a JSON object"},
  };
  for (const auto& c : cases) {
    auto m = parse_manifest(c.json);
    ASSERT_FALSE(m) << c.json;
    EXPECT_NE(m.error().message.find(c.expect), std::string::npos) << m.error().message;
  }
}

TEST(ManifestTest, LayerCompression) {
  EXPECT_EQ(layer_compression(media_type::kOciLayer).value(), Compression::kNone);
  EXPECT_EQ(layer_compression(media_type::kDockerLayer).value(), Compression::kNone);
  EXPECT_EQ(layer_compression(media_type::kOciForeignLayer).value(), Compression::kNone);
  EXPECT_EQ(layer_compression(media_type::kOciLayerGzip).value(), Compression::kGzip);
  EXPECT_EQ(layer_compression(media_type::kDockerLayerGzip).value(), Compression::kGzip);
  EXPECT_EQ(layer_compression(media_type::kDockerForeignLayerGzip).value(), Compression::kGzip);
  EXPECT_EQ(layer_compression(media_type::kOciForeignLayerGzip).value(), Compression::kGzip);
  EXPECT_EQ(layer_compression(media_type::kOciLayerZstd).value(), Compression::kZstd);
  EXPECT_EQ(layer_compression(media_type::kOciForeignLayerZstd).value(), Compression::kZstd);
  EXPECT_FALSE(layer_compression(media_type::kOciConfig));
}

std::string platform(std::string_view os, std::string_view arch, std::string_view variant = "") {
  std::string out = R"(,"platform":{"os":")" + std::string(os) + R"(","architecture":")" +
                    std::string(arch) + "\"";
  if (!variant.empty()) out += R"(,"variant":")" + std::string(variant) + "\"";
  return out + "}";
}

TEST(ManifestTest, ParsesIndexWithPlatforms) {
  std::string json =
      R"({"schemaVersion":2,"mediaType":")" + std::string(media_type::kOciIndex) +
      R"(","manifests":[)" +
      descriptor(media_type::kOciManifest, kDigestA, 5, platform("linux", "arm64")) + "," +
      descriptor(media_type::kOciManifest, kDigestB, 5, platform("linux", "arm", "v7")) + "," +
      descriptor(media_type::kOciManifest, kDigestC, 5, platform("linux", "amd64")) +
      R"(],"annotations":{"k":"v"}})";
  auto index = parse_image_index(json);
  ASSERT_TRUE(index) << index.error().message;
  ASSERT_EQ(index->manifests.size(), 3u);
  EXPECT_EQ(index->manifests[1].platform->variant, "v7");
  EXPECT_EQ(index->annotations.at("k"), "v");
  EXPECT_EQ(detect_manifest_media_type(json).value(), media_type::kOciIndex);

  EXPECT_EQ(select_platform(*index, {"amd64", "linux", "", "", {}})->digest, kDigestC);
  EXPECT_EQ(select_platform(*index, {"arm", "linux", "v7", "", {}})->digest, kDigestB);
  EXPECT_FALSE(select_platform(*index, {"arm", "linux", "v6", "", {}}));
  auto missing = select_platform(*index, {"s390x", "linux", "", "", {}});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("linux/arm/v7"), std::string::npos);
}

TEST(ManifestTest, SingleEntryIndexIsChosenWithoutPlatform) {
  std::string json =
      R"({"schemaVersion":2,"manifests":[)" + descriptor(media_type::kOciManifest, kDigestA) + "]}";
  auto index = parse_image_index(json);
  ASSERT_TRUE(index);
  EXPECT_EQ(select_platform(*index, host_platform())->digest, kDigestA);
}

TEST(ManifestTest, RejectsBadIndexes) {
  EXPECT_FALSE(parse_image_index(R"({"schemaVersion":2})"));
  EXPECT_FALSE(parse_image_index(R"({"schemaVersion":2,"manifests":{}})"));
  EXPECT_FALSE(parse_image_index(R"({"schemaVersion":2,"mediaType":")" +
                                 std::string(media_type::kOciManifest) + R"(","manifests":[]})"));
  auto bad_platform = parse_image_index(
      R"({"schemaVersion":2,"manifests":[)" +
      descriptor(media_type::kOciManifest, kDigestA, 1, R"(,"platform":{"os":"linux"})") + "]}");
  ASSERT_FALSE(bad_platform);
  EXPECT_NE(bad_platform.error().message.find("manifests[0].platform.architecture"),
            std::string::npos)
      << bad_platform.error().message;
}

TEST(ManifestTest, SerializeRoundTrips) {
  Manifest m;
  m.media_type = std::string(media_type::kOciManifest);
  m.config = {std::string(media_type::kOciConfig), kDigestA, 100, {}, {}, std::nullopt};
  m.layers.push_back(
      {std::string(media_type::kOciLayerGzip), kDigestB, 200, {}, {{"a", "b"}}, std::nullopt});
  m.annotations = {{"org.opencontainers.image.created", "2024-01-01T00:00:00Z"}};
  auto parsed = parse_manifest(serialize_manifest(m));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, m);

  ImageIndex index;
  index.media_type = std::string(media_type::kOciIndex);
  Descriptor entry{std::string(media_type::kOciManifest), kDigestC, 300, {}, {}, std::nullopt};
  entry.annotations[std::string(kRefNameAnnotation)] = "latest";
  entry.platform = Platform{"amd64", "linux", "", "", {}};
  index.manifests.push_back(entry);
  auto parsed_index = parse_image_index(serialize_image_index(index));
  ASSERT_TRUE(parsed_index) << parsed_index.error().message;
  EXPECT_EQ(*parsed_index, index);
}

}  // namespace
}  // namespace burrow::image

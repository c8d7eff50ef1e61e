#include <fcntl.h>
#include <gtest/gtest.h>

#include "base/digest.h"
#include "base/file_util.h"
#include "image/archive_reader.h"
#include "image/archive_test_util.h"
#include "image/manifest.h"

namespace burrow::image {
namespace {

using testing_util::make_tar;
using testing_util::TarFilter;
using testing_util::TarMember;
using Kind = TarMember::Kind;

std::string descriptor(std::string_view type, const std::string& data,
                       const std::string& extra = "") {
  return R"({"mediaType":")" + std::string(type) + R"(","digest":")" + base::sha256_digest(data) +
         R"(","size":)" + std::to_string(data.size()) + extra + "}";
}

std::string blob_name(const std::string& data) { return "blobs/sha256/" + base::sha256_hex(data); }

class OciArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = base::make_temp_dir(::testing::TempDir(), "image-oci-test-");
    ASSERT_TRUE(dir) << dir.error().message;
    dir_ = *dir;
    staging_ = dir_ + "/staging";
    ASSERT_TRUE(base::make_dirs(staging_));
    std::string layer = make_tar({{"bin", "", Kind::kDirectory}, {"bin/sh", "#!"}});
    layer_gz_ = make_tar({{"bin", "", Kind::kDirectory}, {"bin/sh", "#!"}}, TarFilter::kGzip);
    config_ = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[")" +
              base::sha256_digest(layer) + R"("]}})";
    manifest_ = R"({"schemaVersion":2,"mediaType":")" + std::string(media_type::kOciManifest) +
                R"(","config":)" + descriptor(media_type::kOciConfig, config_) + R"(,"layers":[)" +
                descriptor(media_type::kOciLayerGzip, layer_gz_) + "]}";
  }
  void TearDown() override { (void)base::remove_tree(dir_); }

  std::string index_for(const std::string& entries) {
    return R"({"schemaVersion":2,"manifests":[)" + entries + "]}";
  }

  std::string ref_annotation(const std::string& name) {
    return R"(,"annotations":{")" + std::string(kRefNameAnnotation) + R"(":")" + name + R"("})";
  }

  std::vector<TarMember> layout(const std::string& index_json) {
    return {{"oci-layout", R"({"imageLayoutVersion":"1.0.0"})"},
            {"index.json", index_json},
            {"blobs", "", Kind::kDirectory},
            {"blobs/sha256", "", Kind::kDirectory},
            {blob_name(layer_gz_), layer_gz_},
            {blob_name(config_), config_},
            {blob_name(manifest_), manifest_}};
  }

  base::Result<ArchiveContents> read(const std::vector<TarMember>& members) {
    // Each read stages into an empty directory.
    (void)base::remove_tree(staging_);
    if (auto s = base::make_dirs(staging_); !s) return tl::unexpected(s.error());
    std::string path = dir_ + "/archive.tar";
    if (auto s = base::write_file_atomic(path, make_tar(members)); !s)
      return tl::unexpected(s.error());
    base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    return read_image_archive(fd.get(), staging_);
  }

  void expect_error(const std::vector<TarMember>& members, const std::string& fragment) {
    auto contents = read(members);
    ASSERT_FALSE(contents) << "expected an error containing: " << fragment;
    EXPECT_NE(contents.error().message.find(fragment), std::string::npos)
        << contents.error().message;
  }

  std::string dir_, staging_, layer_gz_, config_, manifest_;
};

TEST_F(OciArchiveTest, ReadsImageWithFullRefName) {
  auto contents = read(layout(index_for(
      descriptor(media_type::kOciManifest, manifest_, ref_annotation("localhost/busybox:1")))));
  ASSERT_TRUE(contents) << contents.error().message;
  EXPECT_EQ(contents->format, ArchiveFormat::kOciArchive);
  ASSERT_EQ(contents->images.size(), 1u);
  const ArchiveImage& image = contents->images[0];
  EXPECT_EQ(image.config_bytes, config_);
  EXPECT_EQ(image.config_digest, base::sha256_digest(config_));
  EXPECT_EQ(image.manifest_bytes, manifest_);
  EXPECT_EQ(image.ref_name, "localhost/busybox:1");
  EXPECT_EQ(image.names, (std::vector<std::string>{"localhost/busybox:1"}));
  ASSERT_EQ(image.layers.size(), 1u);
  EXPECT_EQ(image.layers[0].media_type, media_type::kOciLayerGzip);
  EXPECT_EQ(image.layers[0].digest, base::sha256_digest(layer_gz_));
  EXPECT_EQ(base::read_file(image.layers[0].path).value(), layer_gz_);
}

TEST_F(OciArchiveTest, BareTagRefNameLeavesImageUnnamed) {
  auto contents = read(
      layout(index_for(descriptor(media_type::kOciManifest, manifest_, ref_annotation("latest")))));
  ASSERT_TRUE(contents) << contents.error().message;
  EXPECT_EQ(contents->images[0].ref_name, "latest");
  EXPECT_TRUE(contents->images[0].names.empty());
}

TEST_F(OciArchiveTest, FollowsNestedIndexToHostPlatform) {
  Platform host = host_platform();
  std::string nested =
      R"({"schemaVersion":2,"mediaType":")" + std::string(media_type::kOciIndex) +
      R"(","manifests":[)" +
      descriptor(media_type::kOciManifest, "not-present",
                 R"(,"platform":{"os":"linux","architecture":"other"})") +
      "," +
      descriptor(media_type::kOciManifest, manifest_,
                 R"(,"platform":{"os":"linux","architecture":")" + host.architecture + R"("})") +
      "]}";
  auto members = layout(index_for(descriptor(media_type::kOciIndex, nested)));
  members.push_back({blob_name(nested), nested});
  auto contents = read(members);
  ASSERT_TRUE(contents) << contents.error().message;
  ASSERT_EQ(contents->images.size(), 1u);
  EXPECT_EQ(contents->images[0].manifest_bytes, manifest_);
}

TEST_F(OciArchiveTest, RejectsBlobNotMatchingDigest) {
  auto members = layout(index_for(descriptor(media_type::kOciManifest, manifest_)));
  members[4].content = layer_gz_ + "tampered";
  expect_error(members, "blob " + base::sha256_digest(layer_gz_) + " does not match its digest");
}

TEST_F(OciArchiveTest, RejectsMissingBlob) {
  auto members = layout(index_for(descriptor(media_type::kOciManifest, manifest_)));
  members.erase(members.begin() + 5);  // the config
  expect_error(members, "blob " + base::sha256_digest(config_) + " is missing from the archive");
}

TEST_F(OciArchiveTest, RejectsSizeMismatch) {
  std::string entry = R"({"mediaType":")" + std::string(media_type::kOciManifest) +
                      R"(","digest":")" + base::sha256_digest(manifest_) + R"(","size":1})";
  expect_error(layout(index_for(entry)), "but its descriptor says 1");
}

TEST_F(OciArchiveTest, RequiresOciLayoutFile) {
  auto members = layout(index_for(descriptor(media_type::kOciManifest, manifest_)));
  members.erase(members.begin());
  expect_error(members, "oci-layout");
}

TEST_F(OciArchiveTest, RejectsEmptyIndexAndBadMediaTypes) {
  expect_error(layout(index_for("")), "index.json lists no images");
  expect_error(layout(index_for(descriptor("application/x-other", manifest_))),
               "unsupported media type");
  expect_error(layout("not json"), "index.json");
}

}  // namespace
}  // namespace burrow::image

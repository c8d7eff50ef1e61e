#include "image/archive_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/digest.h"
#include "base/file_util.h"
#include "image/archive_test_util.h"
#include "image/manifest.h"

namespace burrow::image {
namespace {

using testing_util::make_tar;
using testing_util::TarFilter;
using testing_util::TarMember;
using Kind = TarMember::Kind;

std::string hex_of(const std::string& data) { return base::sha256_hex(data); }

std::string config_for(const std::vector<std::string>& diff_ids) {
  std::string ids;
  for (const auto& id : diff_ids) ids += (ids.empty() ? "\"" : ",\"") + id + "\"";
  return R"({"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},)"
         R"("rootfs":{"type":"layers","diff_ids":[)" +
         ids + "]}}";
}

class ArchiveReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = base::make_temp_dir(::testing::TempDir(), "image-archive-test-");
    ASSERT_TRUE(dir) << dir.error().message;
    dir_ = *dir;
    staging_ = dir_ + "/staging";
    ASSERT_TRUE(base::make_dirs(staging_));
    layer_ = make_tar({{"hello.txt", "hello from the layer\n"}, {"etc", "", Kind::kDirectory}});
    config_ = config_for({base::sha256_digest(layer_)});
  }
  void TearDown() override { (void)base::remove_tree(dir_); }

  // Each read stages into an empty directory.
  void reset_staging() {
    ASSERT_TRUE(base::remove_tree(staging_));
    ASSERT_TRUE(base::make_dirs(staging_));
  }

  base::Result<ArchiveContents> read(const std::string& tar) {
    reset_staging();
    std::string path = dir_ + "/archive.tar";
    if (auto s = base::write_file_atomic(path, tar); !s) return tl::unexpected(s.error());
    base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    return read_image_archive(fd.get(), staging_);
  }

  std::string docker_archive(const std::string& manifest_json,
                             TarFilter filter = TarFilter::kNone) {
    return make_tar({{hex_of(layer_), "", Kind::kDirectory},
                     {hex_of(layer_) + "/layer.tar", layer_},
                     {hex_of(config_) + ".json", config_},
                     {"manifest.json", manifest_json}},
                    filter);
  }

  std::string docker_manifest(const std::string& config_name, const std::string& layer_name,
                              const std::string& tags = R"(["busybox:latest","localhost/x:1"])") {
    return R"([{"Config":")" + config_name + R"(","RepoTags":)" + tags + R"(,"Layers":[")" +
           layer_name + R"("]}])";
  }

  std::string good_docker_manifest() {
    return docker_manifest(hex_of(config_) + ".json", hex_of(layer_) + "/layer.tar");
  }

  void expect_error(const std::string& tar, const std::string& fragment) {
    auto contents = read(tar);
    ASSERT_FALSE(contents) << "expected an error containing: " << fragment;
    EXPECT_NE(contents.error().message.find(fragment), std::string::npos)
        << contents.error().message;
  }

  std::string dir_;
  std::string staging_;
  std::string layer_;
  std::string config_;
};

TEST_F(ArchiveReaderTest, ReadsDockerArchive) {
  for (TarFilter filter : {TarFilter::kNone, TarFilter::kGzip, TarFilter::kZstd}) {
    auto contents = read(docker_archive(good_docker_manifest(), filter));
    ASSERT_TRUE(contents) << contents.error().message;
    EXPECT_EQ(contents->format, ArchiveFormat::kDockerArchive);
    ASSERT_EQ(contents->images.size(), 1u);
    const ArchiveImage& image = contents->images[0];
    EXPECT_EQ(image.config_bytes, config_);
    EXPECT_EQ(image.config_digest, base::sha256_digest(config_));
    EXPECT_EQ(image.names,
              (std::vector<std::string>{"docker.io/library/busybox:latest", "localhost/x:1"}));
    EXPECT_FALSE(image.manifest_bytes);
    ASSERT_EQ(image.layers.size(), 1u);
    EXPECT_EQ(image.layers[0].digest, base::sha256_digest(layer_));
    EXPECT_EQ(image.layers[0].media_type, media_type::kOciLayer);
    EXPECT_EQ(base::read_file(image.layers[0].path).value(), layer_);
    EXPECT_EQ(image.layers[0].path.rfind(staging_ + "/", 0), 0u);
  }
}

TEST_F(ArchiveReaderTest, DockerArchiveWithoutTagsHasNoNames) {
  auto contents = read(docker_archive(
      docker_manifest(hex_of(config_) + ".json", hex_of(layer_) + "/layer.tar", "null")));
  ASSERT_TRUE(contents) << contents.error().message;
  EXPECT_TRUE(contents->images[0].names.empty());
}

TEST_F(ArchiveReaderTest, DockerArchiveFollowsInArchiveSymlinks) {
  // The legacy layout links "<id>/layer.tar" to a shared layer file.
  std::string tar = make_tar({{"layers/shared.tar", layer_},
                              {"abc/layer.tar", "../layers/shared.tar", Kind::kSymlink},
                              {"config.json", config_},
                              {"manifest.json", docker_manifest("config.json", "abc/layer.tar")}});
  auto contents = read(tar);
  ASSERT_TRUE(contents) << contents.error().message;
  EXPECT_EQ(contents->images[0].layers[0].digest, base::sha256_digest(layer_));
}

TEST_F(ArchiveReaderTest, ReadsDocker25LayoutAndChecksItsBlobs) {
  // docker 25+ names members by digest under blobs/sha256 and lists them in manifest.json.
  std::string layer_blob = "blobs/sha256/" + hex_of(layer_);
  std::string config_blob = "blobs/sha256/" + hex_of(config_);
  std::string manifest = docker_manifest(config_blob, layer_blob);
  auto contents = read(make_tar({{layer_blob, layer_},
                                 {config_blob, config_},
                                 {"oci-layout", R"({"imageLayoutVersion":"1.0.0"})"},
                                 {"manifest.json", manifest}}));
  ASSERT_TRUE(contents) << contents.error().message;
  EXPECT_EQ(contents->format, ArchiveFormat::kDockerArchive);
  EXPECT_EQ(contents->images[0].layers[0].digest, base::sha256_digest(layer_));

  std::string unused_blob = "blobs/sha256/" + std::string(64, '0');
  expect_error(make_tar({{layer_blob, layer_},
                         {config_blob, config_},
                         {unused_blob, "tampered"},
                         {"manifest.json", manifest}}),
               "blob sha256:" + std::string(64, '0') + " does not match its digest");
}

TEST_F(ArchiveReaderTest, StagesOnlyRegularFiles) {
  std::string tar = make_tar({{"layer.tar", layer_},
                              {"again.tar", "layer.tar", Kind::kHardlink},
                              {"evil", "/etc/passwd", Kind::kSymlink},
                              {"config.json", config_},
                              {"manifest.json", docker_manifest("config.json", "again.tar")}});
  ASSERT_TRUE(read(tar));
  DIR* dir = ::opendir(staging_.c_str());
  ASSERT_NE(dir, nullptr);
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    ASSERT_EQ(::lstat((staging_ + "/" + name).c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode)) << name;
  }
  ::closedir(dir);
}

TEST_F(ArchiveReaderTest, RejectsMemberClimbingOut) {
  expect_error(make_tar({{"../x", "boom"}, {"manifest.json", good_docker_manifest()}}),
               "unsafe archive path \"../x\"");
  expect_error(make_tar({{"/etc/x", "boom"}}), "unsafe archive path");
  expect_error(make_tar({{"a/../../x", "boom"}}), "unsafe archive path");
}

TEST_F(ArchiveReaderTest, RejectsManifestPointingOutside) {
  expect_error(docker_archive(docker_manifest(hex_of(config_) + ".json", "../../etc/passwd")),
               "unsafe archive path \"../../etc/passwd\"");
  expect_error(docker_archive(docker_manifest("/etc/passwd", hex_of(layer_) + "/layer.tar")),
               "unsafe archive path \"/etc/passwd\"");
  expect_error(docker_archive(docker_manifest(hex_of(config_) + ".json", "missing.tar")),
               "\"missing.tar\" is not a file in the archive");
  // A symlink is only an alias inside the archive; its target must be a member.
  expect_error(make_tar({{"config.json", config_},
                         {"evil", "/etc/passwd", Kind::kSymlink},
                         {"manifest.json", docker_manifest("config.json", "evil")}}),
               "\"evil\" is not a file in the archive");
}

TEST_F(ArchiveReaderTest, RejectsDockerConfigNotMatchingItsName) {
  std::string wrong = std::string(64, 'e') + ".json";
  std::string tar = make_tar({{"layer.tar", layer_},
                              {wrong, config_},
                              {"manifest.json", docker_manifest(wrong, "layer.tar")}});
  expect_error(tar, "does not match its digest");
}

TEST_F(ArchiveReaderTest, RejectsLayerNotMatchingDiffId) {
  std::string other = make_tar({{"other.txt", "x"}});
  std::string tar = make_tar({{"layer.tar", other},
                              {"config.json", config_},
                              {"manifest.json", docker_manifest("config.json", "layer.tar")}});
  expect_error(tar, "does not match diff_id");
}

TEST_F(ArchiveReaderTest, RejectsTruncatedArchive) {
  // Incompressible, so that half of the gzip stream is well past its header.
  std::string big(200000, '\0');
  uint32_t state = 2463534242u;
  for (char& c : big) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    c = static_cast<char>(state);
  }
  std::string tar = make_tar({{"manifest.json", good_docker_manifest()}, {"big", big}});
  expect_error(tar.substr(0, tar.size() / 2), "truncated or corrupt archive");
  std::string gz =
      make_tar({{"manifest.json", good_docker_manifest()}, {"big", big}}, TarFilter::kGzip);
  expect_error(gz.substr(0, gz.size() / 2), "truncated or corrupt archive");
}

TEST_F(ArchiveReaderTest, RejectsUnknownContent) {
  expect_error(make_tar({{"hello.txt", "hi"}}),
               "not a docker-archive or oci-archive (no manifest.json or index.json)");
  expect_error(std::string(4096, 'x'), "not a tar archive");
  expect_error(make_tar({{"repositories", "{}"}}), "legacy docker-archive");
}

TEST_F(ArchiveReaderTest, RejectsBadManifestJson) {
  expect_error(docker_archive("{}"), "manifest.json: expected a JSON array");
  expect_error(docker_archive("[]"), "no images listed");
  expect_error(docker_archive(R"([{"Config":"x.json"}])"), "Layers");
  expect_error(docker_archive(docker_manifest(hex_of(config_) + ".json",
                                              hex_of(layer_) + "/layer.tar", R"(["Bad:Tag!"])")),
               "RepoTags");
}

TEST_F(ArchiveReaderTest, RejectsDuplicateMembers) {
  expect_error(make_tar({{"manifest.json", "[]"}, {"manifest.json", "[]"}}), "appears twice");
}

}  // namespace
}  // namespace burrow::image

#include "storage-fuse/layer_unpack.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/file_util.h"
#include "storage-fuse/test_archive.h"

namespace burrow::storage {
namespace {

using namespace test;  // NOLINT: the test helpers
using ::testing::HasSubstr;

class UnpackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dest_ = tmp_.sub("layer");
    outside_ = tmp_.sub("outside");
    ASSERT_TRUE(base::make_dirs(dest_));
    ASSERT_TRUE(base::make_dirs(outside_));
  }

  base::Result<UnpackStats> unpack(const std::string& blob, bool preserve = true) {
    base::UniqueFd fd = memory_fd(blob);
    UnpackOptions options;
    options.preserve_ownership = preserve;
    return unpack_layer(fd.get(), dest_, options);
  }
  base::Result<UnpackStats> unpack(const std::vector<TarEntry>& entries) {
    return unpack(make_tar(entries));
  }
  std::string in_layer(std::string_view rel) const { return base::path_join(dest_, rel); }

  TempDir tmp_;
  std::string dest_;
  std::string outside_;
};

std::vector<TarEntry> sample_entries() {
  return {dir("etc", 0755),
          file("etc/hostname", "box\n", 0644),
          file("bin/tool", "#!/bin/sh\n", 04755),
          symlink("bin/sh", "tool"),
          hardlink("bin/tool2", "bin/tool"),
          fifo("run/fifo"),
          dir("ro", 0555),
          file("ro/inside", "x", 0400)};
}

void expect_sample_tree(const std::string& dest) {
  struct stat st;
  ASSERT_EQ(::lstat(base::path_join(dest, "etc/hostname").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(st.st_mtime, 1'600'000'000);
  EXPECT_EQ(read_text(base::path_join(dest, "etc/hostname")), "box\n");
  ASSERT_EQ(::lstat(base::path_join(dest, "bin/tool").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u) << "setuid survives chown";
  EXPECT_EQ(st.st_nlink, 2u);
  char target[64] = {};
  ASSERT_GT(::readlink(base::path_join(dest, "bin/sh").c_str(), target, sizeof target - 1), 0);
  EXPECT_STREQ(target, "tool");
  ASSERT_EQ(::lstat(base::path_join(dest, "run/fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  ASSERT_EQ(::lstat(base::path_join(dest, "ro").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0555u) << "directory modes are applied after their contents";
  EXPECT_EQ(st.st_mtime, 1'600'000'000) << "directory times are applied after their contents";
  ASSERT_EQ(::lstat(dest.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
}

TEST_F(UnpackTest, PlainTar) {
  std::string tar = make_tar(sample_entries());
  auto stats = unpack(tar);
  ASSERT_TRUE(stats) << stats.error().message;
  expect_sample_tree(dest_);
  EXPECT_EQ(stats->diff_id, base::sha256_digest(tar));
  EXPECT_EQ(stats->entries, 8u);
  EXPECT_EQ(stats->size, 4u + 10u + 1u);
}

class CompressedUnpackTest : public UnpackTest,
                             public ::testing::WithParamInterface<Compression> {};

TEST_P(CompressedUnpackTest, DiffIdIsDigestOfUncompressedTar) {
  std::string tar = make_tar(sample_entries());
  std::string blob = compress(tar, GetParam());
  ASSERT_NE(blob, tar);
  auto stats = unpack(blob);
  ASSERT_TRUE(stats) << stats.error().message;
  expect_sample_tree(dest_);
  EXPECT_EQ(stats->diff_id, base::sha256_digest(tar));
}

INSTANTIATE_TEST_SUITE_P(Filters, CompressedUnpackTest,
                         ::testing::Values(Compression::kGzip, Compression::kZstd));

TEST_F(UnpackTest, DiffIdCoversPaddingAfterEndOfArchive) {
  std::string tar = make_tar({file("a", "1")}) + std::string(10240, '\0');
  auto stats = unpack(compress(tar, Compression::kGzip));
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->diff_id, base::sha256_digest(tar));
}

TEST_F(UnpackTest, EmptyBlobIsAnEmptyLayer) {
  auto stats = unpack(std::string());
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->entries, 0u);
  EXPECT_EQ(stats->diff_id, base::sha256_digest(""));
}

TEST_F(UnpackTest, RefusesDotDot) {
  auto stats = unpack({file("../escape", "x")});
  ASSERT_FALSE(stats);
  EXPECT_THAT(stats.error().message,
              HasSubstr("layer entry \"../escape\" escapes the layer directory"));
  EXPECT_FALSE(base::path_exists(tmp_.sub("escape")));
}

TEST_F(UnpackTest, RefusesDotDotInTheMiddle) {
  auto stats = unpack({file("a/../../escape", "x")});
  ASSERT_FALSE(stats);
  EXPECT_THAT(stats.error().message, HasSubstr("escapes the layer directory"));
}

TEST_F(UnpackTest, AbsolutePathsStayInside) {
  auto stats = unpack({file("/abs/path", "x"), file("./dot/./file", "y")});
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(read_text(in_layer("abs/path")), "x");
  EXPECT_EQ(read_text(in_layer("dot/file")), "y");
}

TEST_F(UnpackTest, SymlinkToEtcIsNotFollowed) {
  auto stats = unpack({symlink("evil", "/etc"), file("evil/burrow-test-must-not-exist", "x")});
  ASSERT_FALSE(stats);
  EXPECT_THAT(stats.error().message,
              HasSubstr("layer entry \"evil/burrow-test-must-not-exist\" resolves outside the "
                        "layer directory"));
  EXPECT_FALSE(base::path_exists("/etc/burrow-test-must-not-exist"));
}

TEST_F(UnpackTest, AbsoluteSymlinkToSiblingIsNotFollowed) {
  auto stats = unpack({symlink("evil", outside_), file("evil/passwd", "x")});
  ASSERT_FALSE(stats);
  EXPECT_THAT(stats.error().message, HasSubstr("resolves outside the layer directory"));
  EXPECT_FALSE(base::path_exists(base::path_join(outside_, "passwd")));
}

TEST_F(UnpackTest, RelativeSymlinkUpIsNotFollowed) {
  auto stats = unpack({symlink("up", "../../.."), file("up/x", "x")});
  ASSERT_FALSE(stats);
  EXPECT_THAT(stats.error().message,
              HasSubstr("layer entry \"up/x\" resolves outside the layer directory"));
  EXPECT_FALSE(base::path_exists(tmp_.sub("x")));
}

TEST_F(UnpackTest, SymlinkInsideTheLayerIsFollowed) {
  auto stats = unpack({dir("usr/lib"), symlink("lib", "usr/lib"), file("lib/libc.so", "elf")});
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(read_text(in_layer("usr/lib/libc.so")), "elf");
}

TEST_F(UnpackTest, HardlinkOutsideIsRefused) {
  auto stats = unpack({hardlink("passwd", "../../etc/passwd")});
  ASSERT_FALSE(stats);
  EXPECT_THAT(stats.error().message, HasSubstr("escapes the layer directory"));
  EXPECT_FALSE(base::path_exists(in_layer("passwd")));
}

TEST_F(UnpackTest, HardlinkThroughSymlinkIsRefused) {
  ASSERT_TRUE(base::write_file_atomic(base::path_join(outside_, "secret"), "s"));
  auto stats = unpack({symlink("evil", outside_), hardlink("stolen", "evil/secret")});
  ASSERT_FALSE(stats);
  EXPECT_THAT(stats.error().message, HasSubstr("resolves outside the layer directory"));
  EXPECT_FALSE(base::path_exists(in_layer("stolen")));
}

TEST_F(UnpackTest, FileReplacesSymlinkWithoutWritingThroughIt) {
  std::string target = base::path_join(outside_, "target");
  ASSERT_TRUE(base::write_file_atomic(target, "original"));
  auto stats = unpack({symlink("f", target), file("f", "new")});
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(read_text(target), "original");
  struct stat st;
  ASSERT_EQ(::lstat(in_layer("f").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(read_text(in_layer("f")), "new");
}

TEST_F(UnpackTest, DirectoryReplacesFileAndFileReplacesDirectory) {
  auto stats =
      unpack({file("a", "1"), dir("a"), file("a/b", "2"), file("c/d", "3"), file("c", "4")});
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(read_text(in_layer("a/b")), "2");
  EXPECT_EQ(read_text(in_layer("c")), "4");
}

TEST_F(UnpackTest, TruncatedGzipIsAClearError) {
  std::vector<TarEntry> entries;
  for (int i = 0; i < 50; ++i)
    entries.push_back(
        file("f" + std::to_string(i), std::string(4096, static_cast<char>('a' + i % 26))));
  std::string blob = compress(make_tar(entries), Compression::kGzip);
  auto stats = unpack(blob.substr(0, blob.size() / 2));
  ASSERT_FALSE(stats);
  EXPECT_THAT(stats.error().message, HasSubstr("layer is truncated or corrupt: "));
}

TEST_F(UnpackTest, TruncatedTarIsAClearError) {
  std::string tar = make_tar({file("big", std::string(100000, 'x'))});
  auto stats = unpack(tar.substr(0, 5000));
  ASSERT_FALSE(stats);
  EXPECT_THAT(stats.error().message, HasSubstr("layer is truncated or corrupt: "));
}

TEST_F(UnpackTest, GarbageIsAClearError) {
  auto stats = unpack(std::string(4096, 'z'));
  ASSERT_FALSE(stats);
  EXPECT_THAT(stats.error().message, HasSubstr("layer is truncated or corrupt: "));
}

TEST_F(UnpackTest, KeepsUserXattrsAndDropsOverlayOnes) {
  TarEntry f = file("f", "x");
  f.xattrs = {{"user.note", "hello"},
              {"user.overlay.opaque", "y"},
              {"user.fuseoverlayfs.override_stat", "0:0:04755"},
              {"trusted.secret", "no"}};
  auto stats = unpack({f});
  ASSERT_TRUE(stats) << stats.error().message;
  char value[32] = {};
  ASSERT_EQ(::lgetxattr(in_layer("f").c_str(), "user.note", value, sizeof value), 5);
  EXPECT_STREQ(value, "hello");
  EXPECT_LT(::lgetxattr(in_layer("f").c_str(), "user.overlay.opaque", value, sizeof value), 0);
  EXPECT_LT(
      ::lgetxattr(in_layer("f").c_str(), "user.fuseoverlayfs.override_stat", value, sizeof value),
      0);
}

TEST_F(UnpackTest, OpaqueDirectoryGetsUserOverlayXattr) {
  auto stats = unpack({dir("d"), file("d/.wh..wh..opq", "")});
  ASSERT_TRUE(stats) << stats.error().message;
  char value[4] = {};
  ASSERT_EQ(::lgetxattr(in_layer("d").c_str(), "user.overlay.opaque", value, sizeof value), 1);
  EXPECT_EQ(value[0], 'y');
  EXPECT_FALSE(base::path_exists(in_layer("d/.wh..wh..opq")));
}

// Linux >= 5.8 lets anyone create the 0:0 device overlay uses as a
// whiteout; where the kernel refuses, unpacking must say why.
bool kernel_allows_whiteout_mknod(const std::string& dir) {
  std::string probe = base::path_join(dir, "whiteout-probe");
  bool allowed = ::mknod(probe.c_str(), S_IFCHR | 0, makedev(0, 0)) == 0;
  ::unlink(probe.c_str());
  return allowed;
}

TEST_F(UnpackTest, WhiteoutBecomesCharDeviceOrClearError) {
  auto stats = unpack({dir("d"), file("d/.wh.gone", "")});
  if (!kernel_allows_whiteout_mknod(outside_)) {
    ASSERT_FALSE(stats);
    EXPECT_THAT(stats.error().message, HasSubstr("layer entry \"d/.wh.gone\" is a whiteout"));
    return;
  }
  ASSERT_TRUE(stats) << stats.error().message;
  struct stat st;
  ASSERT_EQ(::lstat(in_layer("d/gone").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  EXPECT_FALSE(base::path_exists(in_layer("d/.wh.gone")));
}

TEST_F(UnpackTest, WhiteoutReplacesAnEarlierEntry) {
  if (!kernel_allows_whiteout_mknod(outside_)) GTEST_SKIP() << "this kernel refuses 0:0 mknod";
  auto stats = unpack({dir("d/gone"), file("d/gone/x", "1"), file("d/.wh.gone", "")});
  ASSERT_TRUE(stats) << stats.error().message;
  struct stat st;
  ASSERT_EQ(::lstat(in_layer("d/gone").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(UnpackTest, WhiteoutPathsAreChecked) {
  auto stats = unpack({symlink("evil", outside_), file("evil/.wh.x", "")});
  ASSERT_FALSE(stats);
  EXPECT_THAT(stats.error().message, HasSubstr("resolves outside the layer directory"));
  stats = unpack({file("d/.wh...", "")});
  ASSERT_FALSE(stats);
  EXPECT_THAT(stats.error().message, HasSubstr("is not a valid whiteout"));
}

TEST_F(UnpackTest, DeviceIsCreatedOrCountedAsSkipped) {
  auto stats = unpack({char_device("dev/null", 1, 3)});
  ASSERT_TRUE(stats) << stats.error().message;
  struct stat st;
  if (stats->skipped_devices == 1) {
    // Documented fallback: mknod was refused (unprivileged or a user namespace).
    EXPECT_FALSE(base::path_exists(in_layer("dev/null")));
  } else {
    ASSERT_EQ(::lstat(in_layer("dev/null").c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_EQ(st.st_rdev, makedev(1, 3));
  }
}

// What chown to 1234:1235 does for this process: 0 (root), EPERM (a plain
// user) or EINVAL (a user namespace that does not map those ids).
int chown_outcome(const std::string& dir) {
  std::string probe = base::path_join(dir, "chown-probe");
  if (!base::write_file_atomic(probe, "")) return -1;
  int outcome = ::chown(probe.c_str(), 1234, 1235) == 0 ? 0 : errno;
  ::unlink(probe.c_str());
  return outcome;
}

TEST_F(UnpackTest, OwnershipIsPreservedOrRefused) {
  TarEntry f = file("owned", "x");
  f.uid = 1234;
  f.gid = 1235;
  auto stats = unpack({f});
  switch (chown_outcome(outside_)) {
    case 0: {
      ASSERT_TRUE(stats) << stats.error().message;
      struct stat st;
      ASSERT_EQ(::lstat(in_layer("owned").c_str(), &st), 0);
      EXPECT_EQ(st.st_uid, 1234u);
      EXPECT_EQ(st.st_gid, 1235u);
      break;
    }
    case EINVAL:
      ASSERT_FALSE(stats);
      EXPECT_THAT(stats.error().message,
                  HasSubstr("layer entry \"owned\" is owned by uid 1234 which is not mapped in "
                            "the user namespace: give the user a larger range in /etc/subuid"));
      break;
    default:
      ASSERT_FALSE(stats);
      EXPECT_EQ(stats.error().code, EPERM);
      EXPECT_THAT(stats.error().message, HasSubstr("layer entry \"owned\""));
  }
}

TEST_F(UnpackTest, OwnershipIgnoredWhenNotPreserved) {
  TarEntry f = file("owned", "x");
  f.uid = 1234;
  auto stats = unpack(make_tar({f}), /*preserve=*/false);
  ASSERT_TRUE(stats) << stats.error().message;
  struct stat st;
  ASSERT_EQ(::lstat(in_layer("owned").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, ::geteuid());
}

TEST_F(UnpackTest, RootEntryMetadataAppliesToTheLayerDirectory) {
  auto stats = unpack({dir("./", 0750), file("a", "x")});
  ASSERT_TRUE(stats) << stats.error().message;
  struct stat st;
  ASSERT_EQ(::lstat(dest_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
}

TEST_F(UnpackTest, RootCannotBecomeAFile) {
  auto stats = unpack({file("./", "x")});
  ASSERT_FALSE(stats);
}

}  // namespace
}  // namespace burrow::storage

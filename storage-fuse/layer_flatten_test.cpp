#include "storage-fuse/layer_flatten.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/file_util.h"
#include "storage-fuse/test_archive.h"

namespace burrow::storage {
namespace {

using test::read_text;

class FlattenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(base::make_dirs(layer_));
    ASSERT_TRUE(base::make_dirs(target_));
  }
  void put(const std::string& root, const std::string& rel, const std::string& content) {
    std::string path = base::path_join(root, rel);
    ASSERT_TRUE(base::make_dirs(path.substr(0, path.rfind('/'))));
    ASSERT_TRUE(base::write_file_atomic(path, content));
  }
  // A 0:0 character device, as layer_unpack writes whiteouts; false when
  // this kernel refuses (before 5.8, unprivileged).
  bool whiteout(const std::string& rel) {
    return ::mknod(base::path_join(layer_, rel).c_str(), S_IFCHR, makedev(0, 0)) == 0;
  }
  std::string at(const std::string& rel) const { return base::path_join(target_, rel); }

  test::TempDir tmp_;
  std::string layer_ = tmp_.sub("layer");
  std::string target_ = tmp_.sub("target");
};

TEST_F(FlattenTest, CopiesFilesModesLinksAndTimes) {
  put(layer_, "bin/tool", "#!/bin/sh\n");
  ASSERT_EQ(::chmod(base::path_join(layer_, "bin/tool").c_str(), 04755), 0);
  struct timespec times[2] = {{1'500'000'000, 0}, {1'500'000'000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, base::path_join(layer_, "bin/tool").c_str(), times, 0), 0);
  ASSERT_EQ(::link(base::path_join(layer_, "bin/tool").c_str(),
                   base::path_join(layer_, "bin/tool2").c_str()),
            0);
  ASSERT_EQ(::symlink("tool", base::path_join(layer_, "bin/sh").c_str()), 0);
  ASSERT_EQ(::setxattr(base::path_join(layer_, "bin/tool").c_str(), "user.note", "n", 1, 0), 0);
  ASSERT_EQ(::chmod(base::path_join(layer_, "bin").c_str(), 0555), 0);

  ASSERT_TRUE(apply_layer_dir(layer_, target_));
  struct stat st;
  ASSERT_EQ(::lstat(at("bin/tool").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_mtime, 1'500'000'000);
  EXPECT_EQ(st.st_nlink, 2u) << "hard links inside the layer stay hard links";
  EXPECT_EQ(read_text(at("bin/tool2")), "#!/bin/sh\n");
  char link[16] = {};
  ASSERT_EQ(::readlink(at("bin/sh").c_str(), link, sizeof link - 1), 4);
  EXPECT_STREQ(link, "tool");
  char value[4] = {};
  EXPECT_EQ(::getxattr(at("bin/tool").c_str(), "user.note", value, sizeof value), 1);
  ASSERT_EQ(::lstat(at("bin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0555u);
}

TEST_F(FlattenTest, WhiteoutDeletes) {
  put(target_, "etc/old", "1");
  put(target_, "var/cache/x/y", "2");
  put(target_, "etc/keep", "3");
  ASSERT_TRUE(base::make_dirs(base::path_join(layer_, "etc")));
  ASSERT_TRUE(base::make_dirs(base::path_join(layer_, "var")));
  if (!whiteout("etc/old") || !whiteout("var/cache"))
    GTEST_SKIP() << "this kernel does not let this user create 0:0 whiteout devices";
  ASSERT_TRUE(apply_layer_dir(layer_, target_));
  EXPECT_FALSE(base::path_exists(at("etc/old")));
  EXPECT_FALSE(base::path_exists(at("var/cache")));
  EXPECT_EQ(read_text(at("etc/keep")), "3");
  EXPECT_TRUE(base::is_directory(at("var")));
}

TEST_F(FlattenTest, OpaqueDirectoryClearsTarget) {
  put(target_, "opt/app/old1", "1");
  put(target_, "opt/app/sub/old2", "2");
  put(layer_, "opt/app/new", "3");
  ASSERT_EQ(
      ::setxattr(base::path_join(layer_, "opt/app").c_str(), "user.overlay.opaque", "y", 1, 0), 0);
  ASSERT_TRUE(apply_layer_dir(layer_, target_));
  EXPECT_FALSE(base::path_exists(at("opt/app/old1")));
  EXPECT_FALSE(base::path_exists(at("opt/app/sub")));
  EXPECT_EQ(read_text(at("opt/app/new")), "3");
  char value[4];
  EXPECT_LT(::getxattr(at("opt/app").c_str(), "user.overlay.opaque", value, sizeof value), 0)
      << "the opaque marker is layer metadata, not part of the rootfs";
}

TEST_F(FlattenTest, DirectoryReplacesSymlinkWithoutFollowingIt) {
  std::string outside = tmp_.sub("outside");
  ASSERT_TRUE(base::make_dirs(outside));
  ASSERT_EQ(::symlink(outside.c_str(), at("d").c_str()), 0);
  put(layer_, "d/x", "inside");
  ASSERT_TRUE(apply_layer_dir(layer_, target_));
  EXPECT_FALSE(base::path_exists(base::path_join(outside, "x")));
  EXPECT_TRUE(base::is_directory(at("d")));
  EXPECT_EQ(read_text(at("d/x")), "inside");
}

TEST_F(FlattenTest, FileReplacesDirectoryAndSymlink) {
  std::string outside = tmp_.sub("outside");
  put(outside, "f", "untouched");
  put(target_, "a/deep/file", "1");
  ASSERT_EQ(::symlink(base::path_join(outside, "f").c_str(), at("b").c_str()), 0);
  put(layer_, "a", "now a file");
  put(layer_, "b", "not through the link");
  ASSERT_TRUE(apply_layer_dir(layer_, target_));
  EXPECT_EQ(read_text(at("a")), "now a file");
  EXPECT_EQ(read_text(at("b")), "not through the link");
  EXPECT_EQ(read_text(base::path_join(outside, "f")), "untouched");
}

}  // namespace
}  // namespace burrow::storage

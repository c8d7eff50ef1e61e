#include "base/file_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace burrow::base {
namespace {

class FileUtilTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = *make_temp_dir("/tmp", "burrow-base-test-"); }
  void TearDown() override { ASSERT_TRUE(remove_tree(dir_)); }
  std::string dir_;
};

TEST_F(FileUtilTest, AtomicWriteReplacesContent) {
  std::string path = path_join(dir_, "f");
  ASSERT_TRUE(write_file_atomic(path, "one"));
  ASSERT_TRUE(write_file_atomic(path, "two"));
  EXPECT_EQ(*read_file(path), "two");
}

TEST_F(FileUtilTest, ReadLimitedRefusesLargeFiles) {
  std::string path = path_join(dir_, "big");
  ASSERT_TRUE(write_file_atomic(path, std::string(100, 'x')));
  auto result = read_file_limited(path, 10);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, EFBIG);
}

TEST_F(FileUtilTest, RemoveTreeDoesNotFollowSymlinks) {
  std::string outside = path_join(dir_, "outside");
  ASSERT_TRUE(make_dirs(outside));
  ASSERT_TRUE(write_file_atomic(path_join(outside, "keep"), "x"));
  std::string tree = path_join(dir_, "tree/a/b");
  ASSERT_TRUE(make_dirs(tree));
  ASSERT_EQ(::symlink(outside.c_str(), path_join(tree, "link").c_str()), 0);
  ASSERT_TRUE(remove_tree(path_join(dir_, "tree")));
  EXPECT_FALSE(path_exists(path_join(dir_, "tree")));
  EXPECT_TRUE(path_exists(path_join(outside, "keep")));
}

TEST_F(FileUtilTest, MakeDirsFailsOnFile) {
  std::string path = path_join(dir_, "file");
  ASSERT_TRUE(write_file_atomic(path, "x"));
  EXPECT_FALSE(make_dirs(path_join(path, "sub")));
}

TEST(PathJoin, HandlesSlashes) {
  EXPECT_EQ(path_join("/a", "b"), "/a/b");
  EXPECT_EQ(path_join("/a/", "/b"), "/a/b");
  EXPECT_EQ(path_join("", "b"), "b");
}

}  // namespace
}  // namespace burrow::base

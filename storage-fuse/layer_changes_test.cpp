#include "storage-fuse/layer_changes.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/file_util.h"
#include "storage-fuse/layer_unpack.h"
#include "storage-fuse/tar_writer.h"
#include "storage-fuse/test_archive.h"

namespace burrow::storage {
namespace {

using test::read_text;

std::string describe(const std::vector<Change>& changes) {
  std::string out;
  for (const auto& c : changes) {
    out += c.kind == ChangeKind::kAdded ? "A " : c.kind == ChangeKind::kChanged ? "C " : "D ";
    out += c.path + (c.opaque ? "*" : "") + "\n";
  }
  return out;
}

class ChangesTest : public ::testing::Test {
 protected:
  void put(const std::string& root, const std::string& rel, const std::string& content) {
    std::string path = base::path_join(root, rel);
    ASSERT_TRUE(base::make_dirs(path.substr(0, path.rfind('/'))));
    ASSERT_TRUE(base::write_file_atomic(path, content));
  }
  void mkdir(const std::string& root, const std::string& rel) {
    ASSERT_TRUE(base::make_dirs(base::path_join(root, rel)));
  }

  test::TempDir tmp_;
  std::string lower_ = tmp_.sub("lower");
  std::string upper_ = tmp_.sub("upper");
};

TEST(WhiteoutNames, FileTargetsAndOpaqueMarker) {
  EXPECT_EQ(whiteout_file_target(".wh.passwd"), "passwd");
  EXPECT_EQ(whiteout_file_target(".wh..wh..opq"), std::nullopt);
  EXPECT_EQ(whiteout_file_target("passwd"), std::nullopt);
  EXPECT_EQ(whiteout_file_target(".wh."), std::nullopt);
  EXPECT_EQ(whiteout_file_target(".wh.."), std::nullopt);
  EXPECT_EQ(whiteout_file_target(".wh..wh.aufs"), std::nullopt) << "aufs metadata";
  EXPECT_TRUE(is_opaque_marker(".wh..wh..opq"));
  EXPECT_TRUE(is_whiteout_name(".wh..opq"));
  EXPECT_FALSE(is_whiteout_name("wh.passwd"));
  struct stat st = {};
  st.st_mode = S_IFCHR;
  st.st_rdev = makedev(0, 0);
  EXPECT_TRUE(is_whiteout_device(st));
  st.st_rdev = makedev(1, 3);
  EXPECT_FALSE(is_whiteout_device(st));
}

TEST_F(ChangesTest, UpperDirClassifiesAddedChangedDeletedAndOpaque) {
  put(lower_, "etc/passwd", "root\n");
  put(lower_, "etc/group", "root\n");
  put(lower_, "var/cache/a", "a");
  put(lower_, "var/cache/b", "b");
  put(upper_, "etc/passwd", "root\nnew\n");
  put(upper_, "etc/.wh.group", "");
  put(upper_, "hello", "hi");
  put(upper_, "newdir/file", "f");
  put(upper_, "var/cache/b", "b2");
  put(upper_, "var/cache/.wh..wh..opq", "");
  auto changes = overlay_changes(upper_, {lower_});
  ASSERT_TRUE(changes) << changes.error().message;
  EXPECT_EQ(describe(*changes),
            "C /etc\n"
            "D /etc/group\n"
            "C /etc/passwd\n"
            "A /hello\n"
            "A /newdir\n"
            "A /newdir/file\n"
            "C /var\n"
            "C /var/cache*\n"
            "D /var/cache/a*\n"
            "A /var/cache/b\n");
}

TEST_F(ChangesTest, FuseOverlayfsOpaqueMetadataIsNoDeletion) {
  put(lower_, "etc/passwd", "root\n");
  put(upper_, "newdir/.wh..wh..opq", "");
  put(upper_, "newdir/file", "f");
  // Where mknod works fuse-overlayfs adds a ".wh..opq" whiteout device too.
  std::string device = base::path_join(upper_, "newdir/.wh..opq");
  bool have_device = ::mknod(device.c_str(), S_IFCHR | 0700, makedev(0, 0)) == 0;
  auto changes = overlay_changes(upper_, {lower_});
  ASSERT_TRUE(changes) << changes.error().message;
  EXPECT_EQ(describe(*changes),
            "A /newdir*\n"
            "A /newdir/file\n")
      << (have_device ? "with the device" : "without the device (no mknod here)");
}

TEST_F(ChangesTest, ChangedDirectoriesSayWhetherTheirMetadataChanged) {
  put(lower_, "etc/passwd", "root\n");
  put(lower_, "var/log/x", "x");
  put(upper_, "etc/hosts", "127.0.0.1\n");
  put(upper_, "var/log/y", "y");
  ASSERT_EQ(::chmod(base::path_join(lower_, "etc").c_str(), 0755), 0);
  ASSERT_EQ(::chmod(base::path_join(upper_, "etc").c_str(), 0755), 0);
  ASSERT_EQ(::chmod(base::path_join(lower_, "var/log").c_str(), 0755), 0);
  ASSERT_EQ(::chmod(base::path_join(upper_, "var/log").c_str(), 0700), 0);
  auto changes = overlay_changes(upper_, {lower_});
  ASSERT_TRUE(changes) << changes.error().message;
  ASSERT_EQ(describe(*changes), "C /etc\nA /etc/hosts\nC /var\nC /var/log\nA /var/log/y\n");
  EXPECT_TRUE((*changes)[0].same_metadata);
  EXPECT_FALSE((*changes)[3].same_metadata) << "chmod 0700";
}

bool is_mount_point(const std::string& path) { return path == "/etc/hosts" || path == "/proc"; }

TEST(DropIgnoredChanges, DropsDirectoriesListedOnlyForIgnoredEntries) {
  std::vector<Change> changes = {{ChangeKind::kChanged, "/etc", false, true},
                                 {ChangeKind::kAdded, "/etc/hosts"},
                                 {ChangeKind::kAdded, "/proc"}};
  drop_ignored_changes(changes, is_mount_point);
  EXPECT_EQ(describe(changes), "");
}

TEST(DropIgnoredChanges, KeepsDirectoriesWithOtherChangesOrNewMetadata) {
  std::vector<Change> other = {{ChangeKind::kChanged, "/etc", false, true},
                               {ChangeKind::kAdded, "/etc/hosts"},
                               {ChangeKind::kChanged, "/etc/passwd"}};
  drop_ignored_changes(other, is_mount_point);
  EXPECT_EQ(describe(other), "C /etc\nC /etc/passwd\n");
  std::vector<Change> chmodded = {{ChangeKind::kChanged, "/etc", false, false},
                                  {ChangeKind::kAdded, "/etc/hosts"}};
  drop_ignored_changes(chmodded, is_mount_point);
  EXPECT_EQ(describe(chmodded), "C /etc\n");
  std::vector<Change> opaque = {{ChangeKind::kChanged, "/etc", true, true},
                                {ChangeKind::kAdded, "/etc/hosts"}};
  drop_ignored_changes(opaque, is_mount_point);
  EXPECT_EQ(describe(opaque), "C /etc*\n") << "an opaque directory hides the layers' files";
  // A directory the runtime added only to hold a mount point goes too,
  // but not a sibling that merely shares a prefix.
  std::vector<Change> added = {{ChangeKind::kAdded, "/etc"},
                               {ChangeKind::kAdded, "/etc/hosts"},
                               {ChangeKind::kAdded, "/etcetera"}};
  drop_ignored_changes(added, is_mount_point);
  EXPECT_EQ(describe(added), "A /etcetera\n");
}

TEST_F(ChangesTest, CopyComparedWithLayers) {
  put(lower_, "etc/passwd", "root\n");
  put(lower_, "etc/group", "root\n");
  put(lower_, "bin/sh", "sh");
  std::string merged = tmp_.sub("merged");
  put(merged, "etc/passwd", "root\nnew\n");
  put(merged, "bin/sh", "sh");
  put(merged, "added", "x");
  // Same content and metadata as the layer: unchanged.
  for (const char* rel : {"bin/sh", "bin", "etc"}) {
    struct stat st;
    ASSERT_EQ(::stat(base::path_join(lower_, rel).c_str(), &st), 0);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    ASSERT_EQ(::utimensat(AT_FDCWD, base::path_join(merged, rel).c_str(), times, 0), 0);
  }
  auto changes = copy_changes(merged, {lower_});
  ASSERT_TRUE(changes) << changes.error().message;
  EXPECT_EQ(describe(*changes),
            "A /added\n"
            "D /etc/group\n"
            "C /etc/passwd\n");
}

TEST_F(ChangesTest, ChangesBecomeALayerWithWhiteouts) {
  put(lower_, "etc/group", "root\n");
  put(lower_, "var/cache/a", "a");
  put(upper_, "etc/.wh.group", "");
  put(upper_, "hello", "hi");
  put(upper_, "var/cache/.wh..wh..opq", "");
  auto changes = overlay_changes(upper_, {lower_});
  ASSERT_TRUE(changes);
  std::string tar_path = tmp_.sub("layer.tar");
  base::UniqueFd out(::open(tar_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  ASSERT_TRUE(out);
  base::UniqueFd upper(::open(upper_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  TarWriter writer;
  ASSERT_TRUE(writer.open(out.get()));
  auto written = write_changes(writer, upper.get(), *changes);
  ASSERT_TRUE(written) << written.error().message;
  ASSERT_TRUE(writer.close());

  // Read back as plain files: the whiteouts are ".wh." entries.
  ASSERT_EQ(::lseek(out.get(), 0, SEEK_SET), 0);
  std::string dest = tmp_.sub("dest");
  ASSERT_TRUE(base::make_dirs(dest));
  base::UniqueFd dest_fd(::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  UnpackOptions plain;
  plain.preserve_ownership = false;
  plain.whiteouts = false;
  plain.xattrs = false;
  auto extracted = extract_archive(out.get(), dest_fd.get(), plain);
  ASSERT_TRUE(extracted) << extracted.error().message;
  EXPECT_EQ(read_text(base::path_join(dest, "hello")), "hi");
  EXPECT_TRUE(base::path_exists(base::path_join(dest, "etc/.wh.group")));
  EXPECT_TRUE(base::path_exists(base::path_join(dest, "var/cache/.wh..wh..opq")));
  EXPECT_FALSE(base::path_exists(base::path_join(dest, "var/cache/.wh.a")));
}

TEST_F(ChangesTest, CopyExtractionRefusesToReplaceADirectoryWithAFile) {
  put(upper_, "d/inner", "x");
  std::string tar = test::make_tar({test::file("d", "now a file")});
  base::UniqueFd in = test::memory_fd(tar);
  base::UniqueFd dest(::open(upper_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  UnpackOptions copy;
  copy.preserve_ownership = false;
  copy.replace_other_types = false;
  auto refused = extract_archive(in.get(), dest.get(), copy);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("--overwrite"), std::string::npos);
  EXPECT_EQ(read_text(base::path_join(upper_, "d/inner")), "x");
}

TEST_F(ChangesTest, CopyExtractionStaysBeneathTheDestination) {
  ASSERT_TRUE(base::make_dirs(upper_));
  std::string outside = tmp_.sub("outside");
  ASSERT_TRUE(base::make_dirs(outside));
  std::string tar =
      test::make_tar({test::symlink("link", outside), test::file("link/escaped", "no")});
  base::UniqueFd in = test::memory_fd(tar);
  base::UniqueFd dest(::open(upper_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  UnpackOptions copy;
  copy.preserve_ownership = false;
  EXPECT_FALSE(extract_archive(in.get(), dest.get(), copy));
  EXPECT_FALSE(base::path_exists(base::path_join(outside, "escaped")));
}

}  // namespace
}  // namespace burrow::storage

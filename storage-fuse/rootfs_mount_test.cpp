#include "storage-fuse/rootfs_mount.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/child_process.h"
#include "base/file_util.h"
#include "storage-fuse/overlay_mount.h"
#include "storage-fuse/safe_path.h"
#include "storage-fuse/test_archive.h"

namespace burrow::storage {
namespace {

using test::read_text;
using ::testing::HasSubstr;

TEST(StorageDriverTest, ParsesAndPrints) {
  for (auto driver : {StorageDriver::kOverlay, StorageDriver::kFuseOverlayfs, StorageDriver::kVfs})
    EXPECT_EQ(*parse_storage_driver(to_string(driver)), driver);
  auto bad = parse_storage_driver("btrfs");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("overlay, fuse-overlayfs and vfs"));
}

TEST(OverlayOptionsTest, ShortLayoutsUseAbsolutePaths) {
  RootfsLayout layout{{"/s/l/b", "/s/l/a"}, "/s/c/upper", "/s/c/work", "/s/c/merged"};
  auto plan = plan_overlay_mount_data(layout, 4095);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->chdir_to, "");
  EXPECT_EQ(plan->options,
            "lowerdir=/s/l/b:/s/l/a,upperdir=/s/c/upper,workdir=/s/c/work,userxattr");
}

TEST(OverlayOptionsTest, ManyLayersBecomeRelativeToTheirParent) {
  RootfsLayout layout{{}, "/u", "/w", "/m"};
  std::string parent = "/home/someone/.local/share/burrow/storage/overlay-layers";
  for (int i = 0; i < 150; ++i)
    layout.lower_dirs.push_back(parent + "/" + std::string(20, 'a' + i % 26) + std::to_string(i));
  auto plan = plan_overlay_mount_data(layout, 4095);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->chdir_to, parent);
  EXPECT_LE(plan->options.size(), 4095u);
  EXPECT_THAT(plan->options, HasSubstr("lowerdir=aaaaaaaaaaaaaaaaaaaa0:bbbb"));
}

TEST(OverlayOptionsTest, CommonParentIsAWholeComponent) {
  RootfsLayout layout{{"/x/layer-bc", "/x/layer-bd"}, "", "", "/m"};
  auto plan = plan_overlay_mount_data(layout, 40);  // the absolute form needs 42
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->chdir_to, "/x");
  EXPECT_EQ(plan->options, "lowerdir=layer-bc:layer-bd,userxattr");
}

TEST(OverlayOptionsTest, TooManyLayersIsAClearError) {
  RootfsLayout layout{{}, "/u", "/w", "/m"};
  for (int i = 0; i < 400; ++i) layout.lower_dirs.push_back("/l" + std::to_string(i) + "/diff");
  auto plan = plan_overlay_mount_data(layout, 4095);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, E2BIG);
  EXPECT_THAT(plan.error().message, HasSubstr("400 layers"));
}

TEST(OverlayOptionsTest, EscapesSeparators) {
  EXPECT_EQ(escape_overlay_path("/a:b,c\\d"), "/a\\:b\\,c\\\\d");
}

TEST(NetworkFilesystemTest, LocalPathsAreFine) {
  EXPECT_FALSE(network_filesystem_problem("/tmp"));
  EXPECT_FALSE(network_filesystem_problem("/tmp/does/not/exist/yet"));
}

class MountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* d : {"lower1", "lower2", "upper", "work", "merged"})
      ASSERT_TRUE(base::make_dirs(tmp_.sub(d)));
    // lower2 is the bottom layer, lower1 the top one.
    put("lower2/etc/os-release", "bottom");
    put("lower2/etc/gone", "deleted above");
    put("lower2/opt/old", "hidden by an opaque dir");
    put("lower1/etc/hostname", "top");
    put("lower1/opt/new", "from the top layer");
    ASSERT_EQ(::setxattr(tmp_.sub("lower1/opt").c_str(), "user.overlay.opaque", "y", 1, 0), 0);
    has_whiteout_ = ::mknod(tmp_.sub("lower1/etc/gone").c_str(), S_IFCHR, makedev(0, 0)) == 0;
  }
  void put(const std::string& rel, const std::string& content) {
    std::string path = tmp_.sub(rel);
    ASSERT_TRUE(base::make_dirs(path.substr(0, path.rfind('/'))));
    ASSERT_TRUE(base::write_file_atomic(path, content));
  }
  RootfsLayout layout() const {
    return {{tmp_.sub("lower1"), tmp_.sub("lower2")},
            tmp_.sub("upper"),
            tmp_.sub("work"),
            tmp_.sub("merged")};
  }
  void expect_merged_view() {
    EXPECT_EQ(read_text(tmp_.sub("merged/etc/os-release")), "bottom");
    EXPECT_EQ(read_text(tmp_.sub("merged/etc/hostname")), "top");
    EXPECT_EQ(read_text(tmp_.sub("merged/opt/new")), "from the top layer");
    EXPECT_FALSE(base::path_exists(tmp_.sub("merged/opt/old")));
    if (has_whiteout_) {
      EXPECT_FALSE(base::path_exists(tmp_.sub("merged/etc/gone")));
    }
  }

  test::TempDir tmp_;
  bool has_whiteout_ = false;
};

TEST_F(MountTest, ProbeChoosesADriverAndCleansUp) {
  std::string scratch = tmp_.sub("probe");
  auto probe = probe_storage_driver(scratch);
  ASSERT_TRUE(probe) << probe.error().message;
  size_t expected_rejections = probe->driver == StorageDriver::kOverlay         ? 0
                               : probe->driver == StorageDriver::kFuseOverlayfs ? 1
                                                                                : 2;
  EXPECT_EQ(probe->rejected.size(), expected_rejections);
  auto fd = base::open_dir(scratch);
  ASSERT_TRUE(fd);
  EXPECT_TRUE(list_dir_at(fd->get())->empty()) << "probe left scratch directories behind";
}

TEST_F(MountTest, VfsCopiesLayersBottomUp) {
  auto mounter = make_rootfs_mounter(StorageDriver::kVfs);
  ASSERT_TRUE(mounter->mount(layout()));
  expect_merged_view();
  // A second start keeps the container's own changes.
  put("merged/etc/hostname", "changed");
  ASSERT_TRUE(mounter->mount(layout()));
  EXPECT_EQ(read_text(tmp_.sub("merged/etc/hostname")), "changed");
  EXPECT_TRUE(mounter->unmount(layout()));
  auto fd = base::open_dir(tmp_.path());
  auto names = list_dir_at(fd->get());
  ASSERT_TRUE(names);
  for (const auto& name : *names)
    EXPECT_EQ(name.find(".vfs-"), std::string::npos) << "left " << name;
}

TEST_F(MountTest, KernelOverlayWhenTheProbeSaysItWorks) {
  auto probe = probe_storage_driver(tmp_.sub("probe"));
  ASSERT_TRUE(probe);
  if (probe->driver != StorageDriver::kOverlay)
    GTEST_SKIP() << "kernel overlay is not usable here: " << probe->rejected.front();
  auto mounter = make_rootfs_mounter(StorageDriver::kOverlay);
  ASSERT_TRUE(mounter->mount(layout()));
  expect_merged_view();
  put("merged/written", "goes to upper");
  ASSERT_TRUE(mounter->unmount(layout()));
  EXPECT_EQ(read_text(tmp_.sub("upper/written")), "goes to upper");
  EXPECT_FALSE(base::path_exists(tmp_.sub("merged/written")));
}

class ManyLayersTest : public MountTest, public ::testing::WithParamInterface<bool> {};

// Both mount paths: the new mount API ("lowerdir+") and mount(2) with lower
// dirs relative to their common parent, which must fit in one page.
TEST_P(ManyLayersTest, KernelOverlayTakesOverAHundredLayers) {
  auto probe = probe_storage_driver(tmp_.sub("probe"));
  ASSERT_TRUE(probe);
  if (probe->driver != StorageDriver::kOverlay)
    GTEST_SKIP() << "kernel overlay is not usable here: " << probe->rejected.front();
  RootfsLayout many = layout();
  many.lower_dirs.clear();
  for (int i = 0; i < 120; ++i) {
    std::string dir = tmp_.sub("layers/" + std::string(40, 'l') + std::to_string(i));
    ASSERT_TRUE(base::make_dirs(dir));
    // No fsync (write_file_atomic) here: 120 of them are slow and prove nothing.
    base::UniqueFd f(::open(base::path_join(dir, "f" + std::to_string(i)).c_str(),
                            O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
    ASSERT_TRUE(f);
    many.lower_dirs.push_back(dir);
  }
  bool legacy = GetParam();
  char cwd_before[4096];
  ASSERT_TRUE(::getcwd(cwd_before, sizeof cwd_before));
  auto mounter = make_rootfs_mounter(StorageDriver::kOverlay);
  auto mounted = legacy ? mount_overlay_legacy(many) : mounter->mount(many);
  ASSERT_TRUE(mounted) << mounted.error().message;
  char cwd_after[4096];
  ASSERT_TRUE(::getcwd(cwd_after, sizeof cwd_after));
  EXPECT_STREQ(cwd_after, cwd_before) << "the working directory is restored";
  EXPECT_TRUE(base::path_exists(tmp_.sub("merged/f0")));
  EXPECT_TRUE(base::path_exists(tmp_.sub("merged/f119")));
  ASSERT_TRUE(mounter->unmount(many));
}

INSTANTIATE_TEST_SUITE_P(MountApis, ManyLayersTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Legacy" : "FsConfig"; });

TEST_F(MountTest, FuseOverlayfsWhenAvailable) {
  if (base::find_program("fuse-overlayfs").empty()) GTEST_SKIP() << "fuse-overlayfs not installed";
  base::UniqueFd fuse(::open("/dev/fuse", O_RDWR | O_CLOEXEC));
  if (!fuse) GTEST_SKIP() << "/dev/fuse cannot be opened read-write by this user";
  auto mounter = make_rootfs_mounter(StorageDriver::kFuseOverlayfs);
  auto mounted = mounter->mount(layout());
  if (!mounted && ::geteuid() != 0)
    GTEST_SKIP() << "fuse-overlayfs needs a user namespace here: " << mounted.error().message;
  ASSERT_TRUE(mounted) << mounted.error().message;
  expect_merged_view();
  ASSERT_TRUE(mounter->unmount(layout()));
  EXPECT_FALSE(base::path_exists(tmp_.sub("merged/etc")));
}

TEST(FuseOverlayTest, RefusesPathsItCannotParse) {
  auto mounter = make_rootfs_mounter(StorageDriver::kFuseOverlayfs);
  auto mounted = mounter->mount({{"/a:b"}, "", "", "/tmp/nowhere"});
  ASSERT_FALSE(mounted);
  EXPECT_THAT(mounted.error().message, HasSubstr("':' or ','"));
}

}  // namespace
}  // namespace burrow::storage

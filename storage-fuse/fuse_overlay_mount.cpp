// fuse-overlayfs mounts, for kernels whose overlay refuses the user
// namespace. Runs the helper from the CLI, in the engine's mount namespace.
#include <sys/mount.h>

#include <string_view>

#include "base/child_process.h"
#include "base/log.h"
#include "storage-fuse/overlay_mount.h"

namespace burrow::storage {

using base::fail_errno;
using base::failf;
using base::Status;

namespace {

// fuse-overlayfs splits lowerdir on ':' and its options on ',' with no
// escape, so such paths cannot be passed at all.
Status check_path(const std::string& path) {
  if (path.find_first_of(":,") != std::string::npos)
    return failf(EINVAL,
                 "fuse-overlayfs cannot use \"{}\": paths with ':' or ',' are not supported; "
                 "choose a storage root without them",
                 path);
  return base::ok();
}

class FuseOverlayMounter : public RootfsMounter {
 public:
  Status mount(const RootfsLayout& layout) override {
    if (layout.lower_dirs.empty())
      return failf(EINVAL, "fuse-overlayfs needs at least one lower directory");
    std::string options = "lowerdir=";
    for (size_t i = 0; i < layout.lower_dirs.size(); ++i) {
      BURROW_CHECK(check_path(layout.lower_dirs[i]));
      if (i) options += ':';
      options += layout.lower_dirs[i];
    }
    if (!layout.upper_dir.empty()) {
      BURROW_CHECK(check_path(layout.upper_dir));
      BURROW_CHECK(check_path(layout.work_dir));
      options += ",upperdir=" + layout.upper_dir + ",workdir=" + layout.work_dir;
    }
    BURROW_TRY(base::ProcessOutput out,
               base::run_process({"fuse-overlayfs", "-o", options, layout.merged_dir}));
    if (out.exit_code != 0)
      return failf(EIO, "fuse-overlayfs failed (exit code {}) mounting {}: {}", out.exit_code,
                   layout.merged_dir, out.output);
    return base::ok();
  }

  Status unmount(const RootfsLayout& layout) override {
    // As (namespace) root umount2 is enough; otherwise the setuid helper.
    if (::umount2(layout.merged_dir.c_str(), MNT_DETACH) == 0) return base::ok();
    if (errno == EINVAL || errno == ENOENT) return base::ok();  // not mounted
    if (errno != EPERM) return fail_errno("unmounting {}", layout.merged_dir);
    BURROW_TRY(base::ProcessOutput out,
               base::run_process({"fusermount3", "-u", "-z", layout.merged_dir}));
    if (out.exit_code != 0)
      return failf(EIO, "fusermount3 -u {} failed: {}", layout.merged_dir, out.output);
    return base::ok();
  }
};

}  // namespace

std::unique_ptr<RootfsMounter> make_fuse_overlay_mounter() {
  return std::make_unique<FuseOverlayMounter>();
}

}  // namespace burrow::storage

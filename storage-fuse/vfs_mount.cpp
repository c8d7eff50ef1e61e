// The vfs driver: no mount at all. The rootfs is a full copy of the layers,
// which works on any file system and in any namespace, at the cost of space.
#include <unistd.h>

#include <string_view>

#include "base/file_util.h"
#include "base/scope_exit.h"
#include "storage-fuse/layer_flatten.h"
#include "storage-fuse/overlay_mount.h"
#include "storage-fuse/safe_path.h"

namespace burrow::storage {

using base::fail_errno;
using base::failf;
using base::Result;
using base::Status;

namespace {

Result<bool> is_empty_dir(const std::string& path) {
  BURROW_TRY(base::UniqueFd fd, base::open_dir(path));
  BURROW_TRY(auto names, list_dir_at(fd.get()));
  return names.empty();
}

class VfsMounter : public RootfsMounter {
 public:
  Status mount(const RootfsLayout& layout) override {
    const std::string& merged = layout.merged_dir;
    if (merged.empty() || merged.back() == '/' || merged.find('/') == std::string::npos)
      return failf(EINVAL, "vfs: merged directory \"{}\" must be an absolute path", merged);
    BURROW_CHECK(base::make_dirs(merged, 0755));
    // Already built by an earlier start: the copy is the container's state.
    BURROW_TRY(bool empty, is_empty_dir(merged));
    if (!empty) return base::ok();

    // Build beside the target and rename over the empty directory, so an
    // interrupted copy never looks like a finished rootfs.
    std::string parent = merged.substr(0, merged.rfind('/'));
    std::string name = merged.substr(merged.rfind('/') + 1);
    BURROW_TRY(std::string building,
               base::make_temp_dir(parent.empty() ? "/" : parent, "." + name + ".vfs-"));
    base::ScopeExit remove_building([&] { (void)base::remove_tree(building); });
    for (auto it = layout.lower_dirs.rbegin(); it != layout.lower_dirs.rend(); ++it)
      BURROW_CHECK(apply_layer_dir(*it, building));
    if (::rename(building.c_str(), merged.c_str()) != 0)
      return fail_errno("moving the vfs rootfs into place at {}", merged);
    remove_building.dismiss();
    return base::ok();
  }

  // The engine removes the directory with the container.
  Status unmount(const RootfsLayout&) override { return base::ok(); }
};

}  // namespace

std::unique_ptr<RootfsMounter> make_vfs_mounter() { return std::make_unique<VfsMounter>(); }

}  // namespace burrow::storage

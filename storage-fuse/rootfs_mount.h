// Storage drivers and the mechanisms that assemble a container's rootfs from
// layer directories: kernel overlay (userxattr) -> fuse-overlayfs -> vfs.
// One file per mechanism; the engine picks one with probe_storage_driver.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace burrow::storage {

enum class StorageDriver { kOverlay, kFuseOverlayfs, kVfs };

// "overlay", "fuse-overlayfs" or "vfs".
base::Result<StorageDriver> parse_storage_driver(std::string_view name);
std::string_view to_string(StorageDriver driver);

struct RootfsLayout {
  std::vector<std::string> lower_dirs;  // top-most first, absolute
  std::string upper_dir, work_dir, merged_dir;
};

class RootfsMounter {
 public:
  virtual ~RootfsMounter() = default;
  virtual base::Status mount(const RootfsLayout& layout) = 0;
  virtual base::Status unmount(const RootfsLayout& layout) = 0;
};

std::unique_ptr<RootfsMounter> make_rootfs_mounter(StorageDriver driver);

struct DriverProbe {
  StorageDriver driver;
  std::vector<std::string> rejected;  // "overlay: why not", for burrow info
};

// Run once per storage root (the engine caches the answer), in the mount
// namespace the engine mounts in. Tries a kernel overlay mount with
// "userxattr" on scratch directories under `scratch_parent` (removed
// afterwards), then fuse-overlayfs (binary in PATH and /dev/fuse openable
// read-write), else vfs, which always works.
base::Result<DriverProbe> probe_storage_driver(const std::string& scratch_parent);

// When `path` (or its nearest existing parent) is on NFS, Lustre or another
// network file system, where overlay upper directories and xattrs fail:
// an explanation naming the fix. Otherwise nullopt.
std::optional<std::string> network_filesystem_problem(const std::string& path);

}  // namespace burrow::storage

// Internal to the rootfs mounters: one factory per mechanism, and the pure
// part of the legacy overlay mount (its option string), unit-tested.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "storage-fuse/rootfs_mount.h"

namespace burrow::storage {

std::unique_ptr<RootfsMounter> make_overlay_mounter();
std::unique_ptr<RootfsMounter> make_fuse_overlay_mounter();
std::unique_ptr<RootfsMounter> make_vfs_mounter();

// mount(2) data for overlay before Linux 6.8 (no "lowerdir+"). The data is
// limited to one page, so when the lower dirs share a parent, `chdir_to` is
// that parent and the lower dirs are relative to it.
struct OverlayMountData {
  std::string chdir_to;  // empty: all paths absolute
  std::string options;
};
base::Result<OverlayMountData> plan_overlay_mount_data(const RootfsLayout& layout, size_t limit);

// The mount(2) path taken when the kernel lacks "lowerdir+" (before 6.8);
// public so tests exercise it on kernels that have it. When the options do
// not fit in a page even relative to a common parent, the lower dirs are
// reached through short symlinks in a scratch directory beside merged_dir.
base::Status mount_overlay_legacy(const RootfsLayout& layout);

// Backslash-escapes the characters overlay's option parser treats as
// separators (',' between options, ':' between lower dirs) and '\' itself.
std::string escape_overlay_path(std::string_view path);

}  // namespace burrow::storage

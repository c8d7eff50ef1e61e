// Runs in the CLI, inside the keeper's namespaces when rootless (the upper
// directory holds files of the container's ids).
#include "engine/container_diff.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "base/file_util.h"
#include "engine/container_lifecycle.h"
#include "engine/container_state.h"

namespace burrow::engine {

bool is_runtime_mount_point(const std::string& path) {
  static constexpr std::array<std::string_view, 10> kMountPoints = {
      "/dev",  "/etc/hostname", "/etc/hosts",         "/etc/resolv.conf", "/etc/mtab",
      "/proc", "/run",          "/run/.containerenv", "/run/secrets",     "/sys"};
  return std::find(kMountPoints.begin(), kMountPoints.end(), path) != kMountPoints.end();
}

void drop_runtime_changes(std::vector<storage::Change>& changes) {
  storage::drop_ignored_changes(changes, is_runtime_mount_point);
}

namespace {

Result<std::vector<storage::Change>> all_changes(const ContainerRootfs& rootfs) {
  const auto& layout = rootfs.layout;
  if (rootfs.driver == storage::StorageDriver::kVfs) {
    // A container never started has no copy yet, and so no changes.
    if (!rootfs_mounted(rootfs)) return std::vector<storage::Change>{};
    return storage::copy_changes(layout.merged_dir, layout.lower_dirs);
  }
  if (!base::is_directory(layout.upper_dir)) return std::vector<storage::Change>{};
  return storage::overlay_changes(layout.upper_dir, layout.lower_dirs);
}

}  // namespace

Result<std::vector<storage::Change>> rootfs_changes(const ContainerRootfs& rootfs) {
  BURROW_TRY(auto changes, all_changes(rootfs));
  drop_runtime_changes(changes);
  return changes;
}

Result<std::vector<storage::Change>> container_changes(Engine& engine,
                                                       const std::string& reference) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto record, store.find(reference));
  BURROW_TRY(auto lock, lock_container(engine.paths(), record.id));
  BURROW_TRY(auto rootfs, container_rootfs_of(engine, record));
  return rootfs_changes(rootfs);
}

}  // namespace burrow::engine

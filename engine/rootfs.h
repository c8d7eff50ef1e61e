// Container root file systems: the storage driver chosen once per graph
// root, and the overlay (or copy) of an image's layers for each container.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "engine/store_paths.h"
#include "storage-fuse/rootfs_mount.h"

namespace burrow::engine {

// --storage-driver wins; otherwise the probe result cached in the graph
// root, probing (and caching) on first use. Runs inside the user namespace.
Result<storage::StorageDriver> storage_driver(const StorePaths& paths,
                                              const std::optional<std::string>& forced);

struct ContainerRootfs {
  storage::StorageDriver driver;
  storage::RootfsLayout layout;
};

// diff_ids bottom layer first, as images store them.
ContainerRootfs container_rootfs(const StorePaths& paths, storage::StorageDriver driver,
                                 const std::string& container_id,
                                 const std::vector<std::string>& diff_ids);

// Mounting an already mounted rootfs (held by `burrow mount`) does nothing:
// a second overlay on the same upper directory would corrupt it.
Status mount_rootfs(const ContainerRootfs& rootfs);
// Whether the merged directory is a mount now (vfs: whether its copy exists).
bool rootfs_mounted(const ContainerRootfs& rootfs);
Status unmount_rootfs(const ContainerRootfs& rootfs);

}  // namespace burrow::engine

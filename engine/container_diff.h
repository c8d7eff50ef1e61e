// `burrow diff` and the changes `burrow commit` turns into a layer: what a
// container changed on top of its image.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "engine/container_store.h"
#include "engine/engine.h"
#include "engine/rootfs.h"
#include "storage-fuse/layer_changes.h"

namespace burrow::engine {

// The files burrow's runtime creates as mount points in every container
// (/etc/hosts, /proc, ...): not the user's changes, so, as in Podman, left out.
bool is_runtime_mount_point(const std::string& path);

// Pure. Drops the runtime's mount points and the directories listed only
// because the runtime created them there (/etc for /etc/hosts).
void drop_runtime_changes(std::vector<storage::Change>& changes);

// The changes of a container whose lock the caller holds, sorted by path,
// runtime mount points left out.
Result<std::vector<storage::Change>> rootfs_changes(const ContainerRootfs& rootfs);

// Locks the container and lists its changes (mount points left out).
Result<std::vector<storage::Change>> container_changes(Engine& engine,
                                                       const std::string& reference);

}  // namespace burrow::engine

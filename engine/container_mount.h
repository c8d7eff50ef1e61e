// A container's rootfs outside start and finish: `burrow mount` holds it for
// the user (a count in RUNROOT/mounts/<id>, so finish leaves it mounted), and
// cp and export mount it for a moment when nothing else does.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/lock.h"
#include "base/result.h"
#include "engine/container_store.h"
#include "engine/engine.h"
#include "engine/rootfs.h"

namespace burrow::engine {

// How many `burrow mount` calls hold the container's rootfs (0: none).
int user_mount_count(const StorePaths& paths, const std::string& id);

// Mounts the rootfs when needed, counts one hold; returns the merged path.
Result<std::string> mount_container(Engine& engine, const std::string& reference);

// Drops one hold (`force`: all of them); unmounts when none is left and the
// container is not running. A container that is not mounted is not an error.
Status unmount_container(Engine& engine, const std::string& reference, bool force);

// (id, merged path) of every container whose rootfs is mounted now.
Result<std::vector<std::pair<std::string, std::string>>> mounted_containers(Engine& engine);

// The container locked, and its rootfs mounted for as long as this lives:
// a stopped container's is mounted here and unmounted again at the end,
// unless a user mount or a start holds it by then.
class RootfsAccess {
 public:
  static Result<RootfsAccess> open(Engine& engine, const std::string& reference);
  RootfsAccess(RootfsAccess&& other) noexcept;
  RootfsAccess& operator=(RootfsAccess&&) = delete;
  ~RootfsAccess();

  const ContainerRecord& record() const { return record_; }
  const ContainerRootfs& rootfs() const { return rootfs_; }
  const std::string& merged() const { return rootfs_.layout.merged_dir; }

 private:
  RootfsAccess(base::FileLock lock, ContainerRecord record, ContainerRootfs rootfs)
      : lock_(std::move(lock)), record_(std::move(record)), rootfs_(std::move(rootfs)) {}

  base::FileLock lock_;
  ContainerRecord record_;
  ContainerRootfs rootfs_;
  bool mounted_here_ = false;
};

}  // namespace burrow::engine

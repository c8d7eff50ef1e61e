// Runs in the CLI, inside the keeper's namespaces when rootless (the mounts
// live in the keeper's mount namespace).
#include "engine/container_mount.h"

#include <unistd.h>

#include <algorithm>

#include "base/file_util.h"
#include "base/log.h"
#include "base/strings.h"
#include "engine/container_lifecycle.h"
#include "engine/container_state.h"

namespace burrow::engine {
namespace {

// Per boot, like the mounts it counts: a reboot (or a stopped keeper)
// drops both.
std::string count_file(const StorePaths& paths, const std::string& id) {
  return base::path_join(base::path_join(paths.run_root, "mounts"), id);
}

Status set_user_mount_count(const StorePaths& paths, const std::string& id, int count) {
  std::string file = count_file(paths, id);
  if (count <= 0) {
    if (::unlink(file.c_str()) != 0 && errno != ENOENT)
      return base::fail_errno("removing {}", file);
    return base::ok();
  }
  BURROW_CHECK(base::make_dirs(base::path_join(paths.run_root, "mounts"), 0700));
  return base::write_file_atomic(file, std::to_string(count) + "\n", 0600, false);
}

bool running(const ContainerRecord& record) {
  return is_active(record.state) && init_alive(record);
}

Result<ContainerRecord> locked_record(Engine& engine, const std::string& id) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto record, store.get(id));
  if (!record)
    return base::failf(ENOENT, "no container with name or ID \"{}\" found: no such container", id);
  return std::move(*record);
}

// Mounts unless mounted; a count left from before the mount went away (a
// reboot, a stopped keeper) is forgotten.
Status ensure_mounted(Engine& engine, const ContainerRecord& record,
                      const ContainerRootfs& rootfs) {
  if (rootfs_mounted(rootfs)) return base::ok();
  BURROW_CHECK(set_user_mount_count(engine.paths(), record.id, 0));
  return mount_rootfs(rootfs);
}

}  // namespace

int user_mount_count(const StorePaths& paths, const std::string& id) {
  auto text = base::read_file_limited(count_file(paths, id), 64);
  if (!text) return 0;
  return std::max(0, std::atoi(std::string(base::trim(*text)).c_str()));
}

Result<std::string> mount_container(Engine& engine, const std::string& reference) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto found, store.find(reference));
  BURROW_TRY(auto lock, lock_container(engine.paths(), found.id));
  BURROW_TRY(auto record, locked_record(engine, found.id));
  BURROW_TRY(auto rootfs, container_rootfs_of(engine, record));
  BURROW_CHECK(ensure_mounted(engine, record, rootfs));
  int count = user_mount_count(engine.paths(), record.id);
  BURROW_CHECK(set_user_mount_count(engine.paths(), record.id, count + 1));
  return rootfs.layout.merged_dir;
}

Status unmount_container(Engine& engine, const std::string& reference, bool force) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto found, store.find(reference));
  BURROW_TRY(auto lock, lock_container(engine.paths(), found.id));
  BURROW_TRY(auto record, locked_record(engine, found.id));
  BURROW_TRY(auto rootfs, container_rootfs_of(engine, record));
  const StorePaths& paths = engine.paths();
  if (!rootfs_mounted(rootfs)) return set_user_mount_count(paths, record.id, 0);
  int count = force ? 0 : std::max(0, user_mount_count(paths, record.id) - 1);
  BURROW_CHECK(set_user_mount_count(paths, record.id, count));
  if (count > 0 || running(record)) return base::ok();
  return unmount_rootfs(rootfs);
}

Result<std::vector<std::pair<std::string, std::string>>> mounted_containers(Engine& engine) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto records, store.list());
  std::vector<std::pair<std::string, std::string>> mounted;
  for (const auto& record : records) {
    auto rootfs = container_rootfs_of(engine, record);
    if (!rootfs || !rootfs_mounted(*rootfs)) continue;
    // vfs copies always exist; they count as mounted only while held.
    if (rootfs->driver == storage::StorageDriver::kVfs && !running(record) &&
        user_mount_count(engine.paths(), record.id) == 0)
      continue;
    mounted.emplace_back(record.id, rootfs->layout.merged_dir);
  }
  return mounted;
}

Result<RootfsAccess> RootfsAccess::open(Engine& engine, const std::string& reference) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto found, store.find(reference));
  BURROW_TRY(auto lock, lock_container(engine.paths(), found.id));
  BURROW_TRY(auto record, locked_record(engine, found.id));
  BURROW_TRY(auto rootfs, container_rootfs_of(engine, record));
  bool was_mounted = rootfs_mounted(rootfs);
  if (!was_mounted) BURROW_CHECK(ensure_mounted(engine, record, rootfs));
  RootfsAccess access(std::move(lock), std::move(record), std::move(rootfs));
  access.mounted_here_ = !was_mounted;
  return access;
}

RootfsAccess::RootfsAccess(RootfsAccess&& other) noexcept
    : lock_(std::move(other.lock_)),
      record_(std::move(other.record_)),
      rootfs_(std::move(other.rootfs_)),
      mounted_here_(std::exchange(other.mounted_here_, false)) {}

RootfsAccess::~RootfsAccess() {
  // The lock was held throughout, so nothing else can have taken a hold.
  if (!mounted_here_) return;
  if (auto done = unmount_rootfs(rootfs_); !done)
    base::warn("unmounting the rootfs of {}: {}", record_.id, done.error().message);
}

}  // namespace burrow::engine

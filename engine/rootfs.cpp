#include "engine/rootfs.h"

#include <sys/stat.h>

#include "base/file_util.h"
#include "base/log.h"
#include "base/strings.h"
#include "storage-fuse/safe_path.h"

namespace burrow::engine {
namespace {

std::string driver_cache(const StorePaths& paths) {
  return base::path_join(paths.graph_root, "storage-driver");
}

Result<storage::StorageDriver> probe_and_cache(const StorePaths& paths) {
  BURROW_TRY(auto probe, storage::probe_storage_driver(paths.tmp()));
  if (probe.driver != storage::StorageDriver::kOverlay) {
    std::string reasons = base::join(probe.rejected, "; ");
    if (auto problem = storage::network_filesystem_problem(paths.graph_root))
      reasons += "; " + *problem;
    base::warn("using the {} storage driver ({})", storage::to_string(probe.driver), reasons);
  }
  BURROW_CHECK(
      base::write_file_atomic(driver_cache(paths), std::string(storage::to_string(probe.driver))));
  return probe.driver;
}

}  // namespace

Result<storage::StorageDriver> storage_driver(const StorePaths& paths,
                                              const std::optional<std::string>& forced) {
  if (forced) return storage::parse_storage_driver(*forced);
  if (auto cached = base::read_file_limited(driver_cache(paths), 64)) {
    if (auto driver = storage::parse_storage_driver(base::trim(*cached))) return *driver;
  }
  return probe_and_cache(paths);
}

ContainerRootfs container_rootfs(const StorePaths& paths, storage::StorageDriver driver,
                                 const std::string& container_id,
                                 const std::vector<std::string>& diff_ids) {
  ContainerRootfs rootfs{driver, {}};
  std::string dir = paths.container_dir(container_id);
  for (auto it = diff_ids.rbegin(); it != diff_ids.rend(); ++it)
    rootfs.layout.lower_dirs.push_back(paths.layer_dir(it->substr(7)));
  rootfs.layout.upper_dir = base::path_join(dir, "diff");
  rootfs.layout.work_dir = base::path_join(dir, "work");
  rootfs.layout.merged_dir = base::path_join(dir, "merged");
  return rootfs;
}

bool rootfs_mounted(const ContainerRootfs& rootfs) {
  const std::string& merged = rootfs.layout.merged_dir;
  if (rootfs.driver == storage::StorageDriver::kVfs) {
    auto dir = base::open_dir(merged);
    if (!dir) return false;
    auto names = storage::list_dir_at(dir->get());
    return names && !names->empty();
  }
  // A mount has a device of its own; the merged directory alone shares its
  // parent's.
  struct stat merged_st, parent_st;
  std::string parent = merged.substr(0, merged.rfind('/'));
  return ::stat(merged.c_str(), &merged_st) == 0 && ::stat(parent.c_str(), &parent_st) == 0 &&
         merged_st.st_dev != parent_st.st_dev;
}

Status mount_rootfs(const ContainerRootfs& rootfs) {
  if (rootfs_mounted(rootfs)) return base::ok();
  for (const auto* dir :
       {&rootfs.layout.upper_dir, &rootfs.layout.work_dir, &rootfs.layout.merged_dir})
    BURROW_CHECK(base::make_dirs(*dir, 0755));
  auto mounter = storage::make_rootfs_mounter(rootfs.driver);
  auto mounted = mounter->mount(rootfs.layout);
  if (!mounted)
    return tl::unexpected(mounted.error().with_context("mounting the container rootfs"));
  return base::ok();
}

Status unmount_rootfs(const ContainerRootfs& rootfs) {
  return storage::make_rootfs_mounter(rootfs.driver)->unmount(rootfs.layout);
}

}  // namespace burrow::engine

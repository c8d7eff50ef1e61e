#include "storage-fuse/rootfs_mount.h"

#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstring>

#include "base/child_process.h"
#include "base/file_util.h"
#include "base/scope_exit.h"
#include "storage-fuse/overlay_mount.h"

namespace burrow::storage {

using base::fail_errno;
using base::failf;
using base::Result;
using base::Status;

Result<StorageDriver> parse_storage_driver(std::string_view name) {
  if (name == "overlay") return StorageDriver::kOverlay;
  if (name == "fuse-overlayfs") return StorageDriver::kFuseOverlayfs;
  if (name == "vfs") return StorageDriver::kVfs;
  return failf(EINVAL,
               "unknown storage driver \"{}\": valid drivers are overlay, fuse-overlayfs "
               "and vfs",
               name);
}

std::string_view to_string(StorageDriver driver) {
  switch (driver) {
    case StorageDriver::kOverlay:
      return "overlay";
    case StorageDriver::kFuseOverlayfs:
      return "fuse-overlayfs";
    case StorageDriver::kVfs:
      return "vfs";
  }
  return "unknown";
}

std::unique_ptr<RootfsMounter> make_rootfs_mounter(StorageDriver driver) {
  switch (driver) {
    case StorageDriver::kOverlay:
      return make_overlay_mounter();
    case StorageDriver::kFuseOverlayfs:
      return make_fuse_overlay_mounter();
    case StorageDriver::kVfs:
      return make_vfs_mounter();
  }
  return make_vfs_mounter();
}

namespace {

// A real mount, and a deletion in it: that makes overlay create a whiteout in
// the upper dir, which is what fails on file systems without the support.
Status try_kernel_overlay(const std::string& scratch_parent) {
  BURROW_TRY(std::string scratch, base::make_temp_dir(scratch_parent, ".overlay-probe-"));
  base::ScopeExit remove_scratch([&] { (void)base::remove_tree(scratch); });
  RootfsLayout layout{{base::path_join(scratch, "lower")},
                      base::path_join(scratch, "upper"),
                      base::path_join(scratch, "work"),
                      base::path_join(scratch, "merged")};
  for (const auto& dir :
       {layout.lower_dirs[0], layout.upper_dir, layout.work_dir, layout.merged_dir})
    BURROW_CHECK(base::make_dirs(dir, 0700));
  BURROW_CHECK(base::write_file_atomic(base::path_join(layout.lower_dirs[0], "f"), "probe"));
  auto mounter = make_overlay_mounter();
  BURROW_CHECK(mounter->mount(layout));
  base::ScopeExit unmount([&] { (void)mounter->unmount(layout); });
  std::string merged_file = base::path_join(layout.merged_dir, "f");
  if (::unlink(merged_file.c_str()) != 0) return fail_errno("deleting a lower file in the overlay");
  return base::ok();
}

Status check_fuse_overlayfs() {
  if (base::find_program("fuse-overlayfs").empty())
    return failf(ENOENT, "the fuse-overlayfs program is not installed");
  base::UniqueFd fuse(::open("/dev/fuse", O_RDWR | O_CLOEXEC));
  if (!fuse) return fail_errno("cannot open /dev/fuse read-write");
  return base::ok();
}

struct NetworkFs {
  long magic;
  const char* name;
};

// statfs f_type values (linux/magic.h and the file systems' own headers).
constexpr NetworkFs kNetworkFilesystems[] = {
    {0x6969, "NFS"},      {0x0BD00BD0, "Lustre"}, {0x47504653, "GPFS"},   {0x517B, "SMB"},
    {0xFF534D42, "CIFS"}, {0xFE534D42, "SMB2"},   {0x00C36400, "CephFS"}, {0x5346414F, "AFS"},
    {0x6B414653, "AFS"},  {0x19830326, "BeeGFS"}, {0xAAD7AAEA, "PanFS"},  {0x20030528, "OrangeFS"},
    {0x01021997, "9p"},
};

}  // namespace

Result<DriverProbe> probe_storage_driver(const std::string& scratch_parent) {
  BURROW_CHECK(base::make_dirs(scratch_parent, 0700));
  DriverProbe probe{StorageDriver::kVfs, {}};
  auto overlay = try_kernel_overlay(scratch_parent);
  if (overlay) {
    probe.driver = StorageDriver::kOverlay;
    return probe;
  }
  std::string reason = "overlay: " + overlay.error().message;
  if (overlay.error().code == EPERM)
    reason += " (mounting needs root, or root in the engine's user and mount namespaces)";
  if (auto network = network_filesystem_problem(scratch_parent)) reason += " (" + *network + ")";
  probe.rejected.push_back(reason);
  auto fuse = check_fuse_overlayfs();
  if (fuse) {
    probe.driver = StorageDriver::kFuseOverlayfs;
    return probe;
  }
  probe.rejected.push_back("fuse-overlayfs: " + fuse.error().message);
  return probe;
}

std::optional<std::string> network_filesystem_problem(const std::string& path) {
  // The storage root may not exist yet: ask about the nearest existing parent.
  std::string probe_path = path.empty() ? "." : path;
  struct statfs fs;
  while (::statfs(probe_path.c_str(), &fs) != 0) {
    size_t slash = probe_path.find_last_of('/');
    if (errno != ENOENT || slash == std::string::npos || probe_path == "/") return std::nullopt;
    probe_path = slash == 0 ? "/" : probe_path.substr(0, slash);
  }
  for (const auto& network : kNetworkFilesystems) {
    if (static_cast<unsigned long>(fs.f_type) != static_cast<unsigned long>(network.magic))
      continue;
    return fmt::format(
        "{} is on a network file system ({}), where overlay upper directories and extended "
        "attributes do not work reliably: put the storage root on a local path with --root or "
        "the graphroot setting in storage.conf (for example a node-local disk or /tmp)",
        path, network.name);
  }
  return std::nullopt;
}

}  // namespace burrow::storage

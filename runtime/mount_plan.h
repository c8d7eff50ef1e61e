// The container's file-system setup as plain data: built from the Spec in the
// parent (unit-testable without privileges), applied step by step by the
// container init (mount_setup.h), which allocates nothing while it walks it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "runtime/spec.h"

namespace burrow::runtime {

using base::Result;

// The mount(8)-style option list of an OCI mount, split into what mount(2)
// takes: MS_* flags, propagation, and the file-system data string.
struct MountOptions {
  unsigned long flags = 0;        // MS_RDONLY, MS_NOSUID, ... to set
  unsigned long propagation = 0;  // MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE (| MS_REC)
  bool bind = false;              // "bind" or "rbind"
  bool recursive = false;         // "rbind"
  std::string data;               // "mode=755,size=65536k"
};

MountOptions parse_mount_options(const std::vector<std::string>& options);

// "/a//b/./c/../d" -> "/a/b/d". ".." never climbs above "/" (the kernel's
// RESOLVE_IN_ROOT gives the same answer at run time). Relative paths are
// taken from "/". Fails on an empty path or a NUL byte.
Result<std::string> clean_container_path(std::string_view path);

enum class MountKind {
  kFilesystem,  // mount(source, target, fstype, flags, data)
  kBind,        // bind a host path (source) onto target
  kDeviceNode,  // mknod target (mode, device numbers), then chown
  kDeviceBind,  // bind the host node (source) onto an empty file at target
  kSymlink,     // symlink target -> source
};

struct MountStep {
  MountKind kind = MountKind::kFilesystem;
  std::string target;  // absolute path inside the container, cleaned
  std::string source;
  std::string fstype;
  unsigned long flags = 0;  // for kFilesystem; kBind applies them after the bind
  unsigned long propagation = 0;
  std::string data;
  bool recursive = false;  // rbind
  // Attributes a bind needs after mounting (read-only, nosuid, ...): a bind
  // ignores them on the initial mount(2).
  bool needs_attributes = false;
  // Failure is not fatal (used for /sys/fs/cgroup, whose form depends on the
  // host's cgroup setup; see spec_defaults.h).
  bool optional = false;
  // kDeviceNode
  mode_t mode = 0;  // S_IFCHR|0666 ...
  uint32_t major = 0, minor = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

struct MountPlan {
  std::string rootfs;                       // host path, absolute
  unsigned long root_propagation = 0;       // applied to "/" first (MS_REC|...)
  std::vector<MountStep> steps;             // applied under rootfs, before pivot_root
  std::vector<std::string> masked_paths;    // after pivot_root
  std::vector<std::string> readonly_paths;  // after pivot_root
  bool readonly_root = false;
};

struct MountPlanOptions {
  // Bind the host's device nodes instead of mknod (rootless: mknod of a
  // device is never allowed in a non-initial user namespace).
  bool bind_devices = false;
};

// Turns spec.root, spec.mounts, spec.linux.devices, maskedPaths,
// readonlyPaths and rootfsPropagation into a plan. Adds the /dev symlinks
// (fd, stdin, stdout, stderr, and ptmx when /dev/pts is mounted) when /dev
// is a mount of its own.
Result<MountPlan> build_mount_plan(const Spec& spec, const MountPlanOptions& options);

}  // namespace burrow::runtime

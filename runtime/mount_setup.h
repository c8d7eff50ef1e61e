// Runs in the container init: applies a MountPlan. Nothing here allocates;
// each function returns false after filling `error` (message without the
// errno text, which the parent appends).
#pragma once

#include "runtime/init_error.h"
#include "runtime/mount_plan.h"

namespace burrow::runtime {

// Makes "/" private (or slave) so nothing below leaks to the host's mount
// namespace, binds the rootfs onto itself, applies plan.steps under it with
// every destination resolved inside the rootfs (openat2 RESOLVE_IN_ROOT: an
// image whose /proc is a symlink to /etc gets proc on its own /etc, never on
// the host's), then pivot_root()s into it.
bool setup_rootfs(const MountPlan& plan, InitError& error);

// After pivot_root (and after sysctl writes, which need /proc/sys writable):
// masked paths, read-only paths, then the read-only root.
bool finish_rootfs(const MountPlan& plan, InitError& error);

// Applies MS_RDONLY/MS_NOSUID/MS_NODEV/MS_NOEXEC/atime `flags` to the mount
// at `fd` (an O_PATH fd of its root), keeping every attribute it already has:
// in a user namespace, flags inherited from a more privileged mount are
// locked and a remount that drops them fails with EPERM. Uses mount_setattr
// (Linux 5.12), else a bind remount that re-adds the statvfs flags.
bool set_mount_flags(int fd, unsigned long flags, bool recursive, const char* what,
                     InitError& error);

// mkdir -p of an absolute path in the current root (used for process.cwd).
bool make_dirs_in_current_root(const char* path, InitError& error);

}  // namespace burrow::runtime

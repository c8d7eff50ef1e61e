// Runs in the container init (after clone, before execve): walks the
// MountPlan. No allocation, no exceptions: paths are built in stack buffers.
#include "runtime/mount_setup.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace burrow::runtime {

namespace {

// Closes a borrowed-then-owned fd at scope end; the init never runs
// destructors of UniqueFd-holding objects it did not create itself.
struct FdGuard {
  int fd = -1;
  explicit FdGuard(int f) : fd(f) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

struct ProcFdPath {
  char path[64];
  explicit ProcFdPath(int fd) { std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd); }
};

// Resolves `path` (absolute, inside the container) with the rootfs as "/":
// symlinks and ".." cannot leave it, and /proc magic links are refused.
int open_in_root(int root_fd, const char* path, int flags) {
  struct open_how how;
  std::memset(&how, 0, sizeof how);
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd;
  do {
    fd = static_cast<int>(::syscall(SYS_openat2, root_fd, path, &how, sizeof how));
  } while (fd < 0 && errno == EAGAIN);
  return fd;
}

// Splits "/a/b/c" into parent "/a/b" and leaf "c" in `buffer`.
bool split_path(const char* path, char (&buffer)[PATH_MAX], const char** parent,
                const char** leaf) {
  size_t length = std::strlen(path);
  if (length == 0 || length >= sizeof buffer) return false;
  std::memcpy(buffer, path, length + 1);
  char* slash = std::strrchr(buffer, '/');
  if (slash == nullptr || slash[1] == '\0') return false;
  *leaf = slash + 1;
  if (slash == buffer) {
    *parent = "/";
  } else {
    *slash = '\0';
    *parent = buffer;
  }
  return true;
}

// mkdir -p inside the rootfs; returns an O_PATH fd of the directory. Each
// missing component is created with mkdirat() relative to its already
// resolved parent, so a symlink planted in the image cannot redirect it.
int make_dirs_in_root(int root_fd, const char* path, InitError& error) {
  char buffer[PATH_MAX];
  size_t length = std::strlen(path);
  if (length >= sizeof buffer) {
    error.set(ENAMETOOLONG, "creating %s", path);
    return -1;
  }
  std::memcpy(buffer, path, length + 1);
  int parent = open_in_root(root_fd, "/", O_PATH | O_DIRECTORY);
  if (parent < 0) {
    error.set(errno, "opening the rootfs");
    return -1;
  }
  for (char* p = buffer; *p != '\0';) {
    while (*p == '/') ++p;
    if (*p == '\0') break;
    char* end = std::strchr(p, '/');
    char saved = end ? *end : '\0';
    if (end) *end = '\0';
    // buffer now holds the prefix up to and including this component.
    int next = open_in_root(root_fd, buffer, O_PATH | O_DIRECTORY);
    if (next < 0 && errno == ENOENT) {
      if (::mkdirat(parent, p, 0755) != 0 && errno != EEXIST) {
        error.set(errno, "creating directory %s in the rootfs", buffer);
        ::close(parent);
        return -1;
      }
      next = open_in_root(root_fd, buffer, O_PATH | O_DIRECTORY);
    }
    if (next < 0) {
      error.set(errno, "opening %s in the rootfs", buffer);
      ::close(parent);
      return -1;
    }
    ::close(parent);
    parent = next;
    if (end) *end = saved;
    p = end ? end : p + std::strlen(p);
  }
  return parent;
}

bool same_inode(int a, int b) {
  struct stat sa, sb;
  return ::fstat(a, &sa) == 0 && ::fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

// Opens (creating when missing) the mount point `path` inside the rootfs: a
// directory, or an empty file when the source is not a directory.
int open_mount_point(int root_fd, const char* path, bool directory, InitError& error) {
  int fd = open_in_root(root_fd, path, O_PATH);
  if (fd < 0 && errno == ENOENT) {
    char buffer[PATH_MAX];
    const char *parent_path, *leaf;
    if (!split_path(path, buffer, &parent_path, &leaf)) {
      error.set(EINVAL, "bad mount destination %s", path);
      return -1;
    }
    int parent = make_dirs_in_root(root_fd, parent_path, error);
    if (parent < 0) return -1;
    int rc = directory ? ::mkdirat(parent, leaf, 0755) : ::mknodat(parent, leaf, S_IFREG | 0644, 0);
    int saved = errno;
    ::close(parent);
    if (rc != 0 && saved != EEXIST) {
      error.set(saved, "creating mount point %s in the rootfs", path);
      return -1;
    }
    fd = open_in_root(root_fd, path, O_PATH);
  }
  if (fd < 0) {
    error.set(errno, "opening mount point %s in the rootfs", path);
    return -1;
  }
  // "/proc -> ../../.." resolves to the rootfs itself: mounting there would
  // cover the whole container, so such an image is refused.
  if (same_inode(fd, root_fd)) {
    ::close(fd);
    error.set(EINVAL, "mount destination %s resolves to the container's root", path);
    return -1;
  }
  return fd;
}

bool set_propagation(int root_fd, const MountStep& step, InitError& error) {
  if (step.propagation == 0) return true;
  FdGuard fd(open_in_root(root_fd, step.target.c_str(), O_PATH));
  if (fd.fd < 0) return error.set(errno, "reopening %s", step.target.c_str());
  if (::mount(nullptr, ProcFdPath(fd.fd).path, nullptr, step.propagation, nullptr) != 0)
    return error.set(errno, "setting the propagation of %s", step.target.c_str());
  return true;
}

bool bind_into_root(int root_fd, const char* source, const MountStep& step, InitError& error) {
  FdGuard source_fd(::open(source, O_PATH | O_CLOEXEC));
  if (source_fd.fd < 0) return error.set(errno, "opening bind source %s", source);
  struct stat st;
  if (::fstat(source_fd.fd, &st) != 0) return error.set(errno, "stat %s", source);
  FdGuard target(open_mount_point(root_fd, step.target.c_str(), S_ISDIR(st.st_mode), error));
  if (target.fd < 0) return false;
  unsigned long flags = MS_BIND | (step.recursive ? MS_REC : 0);
  if (::mount(ProcFdPath(source_fd.fd).path, ProcFdPath(target.fd).path, nullptr, flags, nullptr) !=
      0)
    return error.set(errno, "binding %s onto %s", source, step.target.c_str());
  if (step.needs_attributes) {
    // The fd opened before the mount names the covered directory; reopen to
    // reach the new mount.
    FdGuard mounted(open_in_root(root_fd, step.target.c_str(), O_PATH));
    if (mounted.fd < 0) return error.set(errno, "reopening %s", step.target.c_str());
    if (!set_mount_flags(mounted.fd, step.flags, step.recursive, step.target.c_str(), error))
      return false;
  }
  return set_propagation(root_fd, step, error);
}

bool mount_filesystem(int root_fd, const MountStep& step, InitError& error) {
  FdGuard target(open_mount_point(root_fd, step.target.c_str(), true, error));
  if (target.fd < 0) return false;
  if (::mount(step.source.c_str(), ProcFdPath(target.fd).path, step.fstype.c_str(), step.flags,
              step.data.empty() ? nullptr : step.data.c_str()) != 0)
    return error.set(errno, "mounting %s (%s)", step.target.c_str(), step.fstype.c_str());
  return set_propagation(root_fd, step, error);
}

bool make_device_node(int root_fd, const MountStep& step, InitError& error) {
  char buffer[PATH_MAX];
  const char *parent_path, *leaf;
  if (!split_path(step.target.c_str(), buffer, &parent_path, &leaf))
    return error.set(EINVAL, "bad device path %s", step.target.c_str());
  FdGuard parent(make_dirs_in_root(root_fd, parent_path, error));
  if (parent.fd < 0) return false;
  // An image may ship its own node at this path; the spec's one wins.
  if (::unlinkat(parent.fd, leaf, 0) != 0 && errno != ENOENT)
    return error.set(errno, "removing %s", step.target.c_str());
  if (::mknodat(parent.fd, leaf, step.mode, makedev(step.major, step.minor)) != 0)
    return error.set(errno, "creating device %s", step.target.c_str());
  if (::fchownat(parent.fd, leaf, step.uid, step.gid, AT_SYMLINK_NOFOLLOW) != 0)
    return error.set(errno, "chown of device %s", step.target.c_str());
  return true;
}

bool make_symlink(int root_fd, const MountStep& step, InitError& error) {
  char buffer[PATH_MAX];
  const char *parent_path, *leaf;
  if (!split_path(step.target.c_str(), buffer, &parent_path, &leaf))
    return error.set(EINVAL, "bad symlink path %s", step.target.c_str());
  FdGuard parent(make_dirs_in_root(root_fd, parent_path, error));
  if (parent.fd < 0) return false;
  if (::symlinkat(step.source.c_str(), parent.fd, leaf) != 0 && errno != EEXIST)
    return error.set(errno, "creating symlink %s", step.target.c_str());
  return true;
}

bool apply_step(int root_fd, const MountStep& step, InitError& error) {
  switch (step.kind) {
    case MountKind::kFilesystem:
      return mount_filesystem(root_fd, step, error);
    case MountKind::kBind:
    case MountKind::kDeviceBind:
      return bind_into_root(root_fd, step.source.c_str(), step, error);
    case MountKind::kDeviceNode:
      return make_device_node(root_fd, step, error);
    case MountKind::kSymlink:
      return make_symlink(root_fd, step, error);
  }
  return error.set(EINVAL, "unknown mount step for %s", step.target.c_str());
}

unsigned long statvfs_to_mount_flags(unsigned long f) {
  unsigned long flags = 0;
  if (f & ST_RDONLY) flags |= MS_RDONLY;
  if (f & ST_NOSUID) flags |= MS_NOSUID;
  if (f & ST_NODEV) flags |= MS_NODEV;
  if (f & ST_NOEXEC) flags |= MS_NOEXEC;
  if (f & ST_NOATIME) flags |= MS_NOATIME;
  if (f & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (f & ST_RELATIME) flags |= MS_RELATIME;
  if (!(f & (ST_NOATIME | ST_RELATIME))) flags |= MS_STRICTATIME;
  return flags;
}

// A missing path, or one under a file system that lacks it, is skipped.
bool is_absent(int err) { return err == ENOENT || err == ENOTDIR; }

}  // namespace

bool set_mount_flags(int fd, unsigned long flags, bool recursive, const char* what,
                     InitError& error) {
  struct mount_attr attr;
  std::memset(&attr, 0, sizeof attr);
  if (flags & MS_RDONLY) attr.attr_set |= MOUNT_ATTR_RDONLY;
  if (flags & MS_NOSUID) attr.attr_set |= MOUNT_ATTR_NOSUID;
  if (flags & MS_NODEV) attr.attr_set |= MOUNT_ATTR_NODEV;
  if (flags & MS_NOEXEC) attr.attr_set |= MOUNT_ATTR_NOEXEC;
  if (flags & MS_NODIRATIME) attr.attr_set |= MOUNT_ATTR_NODIRATIME;
  // The atime mode is only changed when asked for: it is locked too.
  if (flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) {
    attr.attr_clr |= MOUNT_ATTR__ATIME;
    if (flags & MS_NOATIME) {
      attr.attr_set |= MOUNT_ATTR_NOATIME;
    } else if (flags & MS_STRICTATIME) {
      attr.attr_set |= MOUNT_ATTR_STRICTATIME;
    }
  }
  unsigned int at_flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  if (::mount_setattr(fd, "", at_flags, &attr, sizeof attr) == 0) return true;
  if (errno != ENOSYS) return error.set(errno, "setting mount flags of %s", what);
  // Older kernels: a bind remount sets the flags to exactly what is passed,
  // so the current (possibly locked) ones are read back and kept. Only the
  // top mount changes.
  struct statvfs sv;
  if (::fstatvfs(fd, &sv) != 0) return error.set(errno, "statvfs %s", what);
  unsigned long current = statvfs_to_mount_flags(sv.f_flag);
  if (flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))
    current &= ~(MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
  if (::mount(nullptr, ProcFdPath(fd).path, nullptr, MS_BIND | MS_REMOUNT | current | flags,
              nullptr) != 0)
    return error.set(errno, "remounting %s", what);
  return true;
}

bool setup_rootfs(const MountPlan& plan, InitError& error) {
  unsigned long propagation = plan.root_propagation;
  // A shared root would push our mounts to the host: start as slave, turn
  // shared once inside the new root.
  if (propagation & MS_SHARED) propagation = MS_SLAVE | MS_REC;
  if (::mount(nullptr, "/", nullptr, propagation, nullptr) != 0)
    return error.set(errno, "making / private");
  const char* rootfs = plan.rootfs.c_str();
  // pivot_root wants the new root to be a mount point.
  if (::mount(rootfs, rootfs, nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return error.set(errno, "binding the rootfs %s onto itself", rootfs);
  FdGuard root(::open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root.fd < 0) return error.set(errno, "opening the rootfs %s", rootfs);

  for (const MountStep& step : plan.steps) {
    InitError step_error;
    if (apply_step(root.fd, step, step_error)) continue;
    if (step.optional) continue;
    error = step_error;
    return false;
  }

  // pivot_root(".", ".") stacks the old root on top of the new one; detaching
  // it leaves the rootfs alone. The old root is made a slave first so the
  // unmount cannot propagate to the host.
  if (::fchdir(root.fd) != 0) return error.set(errno, "entering the rootfs");
  if (::syscall(SYS_pivot_root, ".", ".") != 0) return error.set(errno, "pivot_root");
  if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0)
    return error.set(errno, "making the old root a slave");
  if (::umount2(".", MNT_DETACH) != 0) return error.set(errno, "detaching the old root");
  if (::chdir("/") != 0) return error.set(errno, "chdir /");
  if ((plan.root_propagation & MS_SHARED) &&
      ::mount(nullptr, "/", nullptr, plan.root_propagation, nullptr) != 0)
    return error.set(errno, "making / shared");
  return true;
}

bool finish_rootfs(const MountPlan& plan, InitError& error) {
  // Inside the new root now: paths resolve within the container.
  for (const std::string& path : plan.masked_paths) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      if (is_absent(errno)) continue;
      return error.set(errno, "stat masked path %s", path.c_str());
    }
    int rc = S_ISDIR(st.st_mode) ? ::mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY, nullptr)
                                 : ::mount("/dev/null", path.c_str(), nullptr, MS_BIND, nullptr);
    if (rc != 0) return error.set(errno, "masking %s", path.c_str());
  }
  for (const std::string& path : plan.readonly_paths) {
    if (::mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
      if (is_absent(errno)) continue;
      return error.set(errno, "binding read-only path %s", path.c_str());
    }
    FdGuard fd(::open(path.c_str(), O_PATH | O_CLOEXEC));
    if (fd.fd < 0) return error.set(errno, "opening %s", path.c_str());
    if (!set_mount_flags(fd.fd, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, true, path.c_str(),
                         error))
      return false;
  }
  if (plan.readonly_root) {
    FdGuard fd(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (fd.fd < 0) return error.set(errno, "opening /");
    if (!set_mount_flags(fd.fd, MS_RDONLY, false, "/", error)) return false;
  }
  return true;
}

bool make_dirs_in_current_root(const char* path, InitError& error) {
  char buffer[PATH_MAX];
  size_t length = std::strlen(path);
  if (length >= sizeof buffer) return error.set(ENAMETOOLONG, "creating %s", path);
  std::memcpy(buffer, path, length + 1);
  for (char* p = buffer + 1;; ++p) {
    if (*p != '/' && *p != '\0') continue;
    char saved = *p;
    *p = '\0';
    if (buffer[0] != '\0' && ::mkdir(buffer, 0755) != 0 && errno != EEXIST)
      return error.set(errno, "creating %s", buffer);
    *p = saved;
    if (saved == '\0') break;
  }
  return true;
}

}  // namespace burrow::runtime

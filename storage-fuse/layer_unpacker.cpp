#include "storage-fuse/layer_unpacker.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "base/file_util.h"
#include "base/log.h"
#include "storage-fuse/layer_xattr.h"
#include "storage-fuse/safe_path.h"

namespace burrow::storage {

using base::fail_errno;
using base::failf;
using base::Result;
using base::Status;
using base::UniqueFd;

namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

tl::unexpected<base::Error> entry_error(const std::string& raw, const base::Error& error) {
  return tl::unexpected(error.with_context(fmt::format("layer entry \"{}\"", raw)));
}

tl::unexpected<base::Error> entry_error(const std::string& raw,
                                        const tl::unexpected<base::Error>& error) {
  return entry_error(raw, error.value());
}

// Whether `id` appears inside a /proc/self/{uid,gid}_map range. Only used to
// word an error, so an unreadable map just counts as "not mapped".
bool id_is_mapped(uint64_t id, const char* map_path) {
  auto content = base::read_file_limited(map_path, 1 << 16);
  if (!content) return false;
  size_t pos = 0;
  while (pos < content->size()) {
    size_t end = content->find('\n', pos);
    if (end == std::string::npos) end = content->size();
    unsigned long long inside = 0, outside = 0, count = 0;
    std::string line = content->substr(pos, end - pos);
    if (std::sscanf(line.c_str(), "%llu %llu %llu", &inside, &outside, &count) == 3 &&
        id >= inside && id - inside < count)
      return true;
    pos = end + 1;
  }
  return false;
}

}  // namespace

Result<Unpacker::Target> Unpacker::resolve(const char* raw_path) {
  Target target;
  target.raw = raw_path ? raw_path : "";
  BURROW_TRY(target.components, normalize_entry_path(target.raw));
  if (target.components.empty()) return target;  // the layer root itself
  target.name = target.components.back();
  auto parent = open_parent_dir(root_fd_, target.components);
  if (!parent) {
    if (parent.error().code == EXDEV)
      return failf(EXDEV, "layer entry \"{}\" resolves outside the layer directory", target.raw);
    return entry_error(target.raw, parent.error());
  }
  target.parent = std::move(*parent);
  return target;
}

Status Unpacker::apply(LayerStream& stream, archive_entry* entry) {
  BURROW_TRY(Target target, resolve(archive_entry_pathname(entry)));
  if (options_.whiteouts && std::string_view(target.name).starts_with(kWhiteoutPrefix))
    return apply_whiteout(target);
  BURROW_CHECK(check_replace(
      target, archive_entry_filetype(entry) == AE_IFDIR && !archive_entry_hardlink(entry)));
  if (archive_entry_hardlink(entry)) return make_hardlink(target, entry);
  mode_t type = archive_entry_filetype(entry);
  if (type == AE_IFDIR) return make_directory(target, entry);
  if (target.components.empty())
    return failf(EINVAL, "layer entry \"{}\" would replace the layer root with a non-directory",
                 target.raw);
  switch (type) {
    case AE_IFREG:
      return make_file(target, stream, entry);
    case AE_IFLNK:
      return make_symlink(target, entry);
    case AE_IFIFO:
    case AE_IFCHR:
    case AE_IFBLK:
      return make_node(target, entry);
    default:
      // Sockets and unknown types carry nothing an image needs.
      base::debug("skipping layer entry \"{}\" of type {:o}", target.raw, type);
      return base::ok();
  }
}

Status Unpacker::check_replace(const Target& target, bool entry_is_dir) {
  if (options_.replace_other_types || target.components.empty()) return base::ok();
  struct stat st;
  if (::fstatat(target.parent.get(), target.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return base::ok();
  if (S_ISDIR(st.st_mode) == entry_is_dir) return base::ok();
  return failf(EEXIST, "cannot overwrite {} \"{}\" with {}: use --overwrite to replace it",
               entry_is_dir ? "non-directory" : "directory", target.raw,
               entry_is_dir ? "a directory" : "a non-directory");
}

Status Unpacker::apply_whiteout(const Target& target) {
  if (target.name == kOpaqueMarker) {
    if (::fsetxattr(target.parent.get(), "user.overlay.opaque", "y", 1, 0) != 0)
      return entry_error(target.raw, fail_errno("marking the directory opaque"));
    return base::ok();
  }
  std::string hidden = target.name.substr(kWhiteoutPrefix.size());
  if (hidden.starts_with(kWhiteoutPrefix)) {
    // ".wh..wh.*" other than the opaque marker are aufs internals, not OCI.
    base::debug("skipping aufs metadata entry \"{}\"", target.raw);
    return base::ok();
  }
  if (hidden.empty() || hidden == "." || hidden == "..")
    return failf(EINVAL, "layer entry \"{}\" is not a valid whiteout", target.raw);
  auto removed = remove_entry_at(target.parent.get(), hidden);
  if (!removed) return entry_error(target.raw, removed.error());
  if (::mknodat(target.parent.get(), hidden.c_str(), S_IFCHR | 0, makedev(0, 0)) != 0) {
    if (errno == EPERM)
      return failf(EPERM,
                   "layer entry \"{}\" is a whiteout, which needs a 0:0 character device, and "
                   "mknod was not permitted: layers must be unpacked as root or as root in a "
                   "user namespace",
                   target.raw);
    return entry_error(target.raw, fail_errno("creating the whiteout device"));
  }
  return base::ok();
}

Status Unpacker::make_directory(const Target& target, archive_entry* entry) {
  UniqueFd dir;
  if (target.components.empty()) {
    BURROW_TRY(dir, open_beneath(root_fd_, "", O_RDONLY | O_DIRECTORY));
  } else {
    struct stat st;
    bool reuse =
        ::fstatat(target.parent.get(), target.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISDIR(st.st_mode);
    if (!reuse) {
      auto removed = remove_entry_at(target.parent.get(), target.name);
      if (!removed) return entry_error(target.raw, removed.error());
      // Owner-only until finish_directories applies the real mode.
      if (::mkdirat(target.parent.get(), target.name.c_str(), 0700) != 0)
        return entry_error(target.raw, fail_errno("mkdir"));
    }
    dir.reset(::openat(target.parent.get(), target.name.c_str(),
                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir) return entry_error(target.raw, fail_errno("opening the directory"));
  }
  BURROW_CHECK(set_owner(target, dir.get(), entry));
  BURROW_CHECK(set_xattrs(target, dir.get(), entry));
  PendingDir pending;
  pending.rel = join_components(target.components, target.components.size());
  pending.depth = target.components.size();
  pending.mode = archive_entry_perm(entry);
  if (archive_entry_mtime_is_set(entry)) {
    pending.has_times = true;
    pending.times[1] = {archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
    pending.times[0] = archive_entry_atime_is_set(entry)
                           ? timespec{archive_entry_atime(entry), archive_entry_atime_nsec(entry)}
                           : pending.times[1];
  }
  pending_dirs_.push_back(std::move(pending));
  return base::ok();
}

Status Unpacker::make_file(const Target& target, LayerStream& stream, archive_entry* entry) {
  auto removed = remove_entry_at(target.parent.get(), target.name);
  if (!removed) return entry_error(target.raw, removed.error());
  UniqueFd fd(::openat(target.parent.get(), target.name.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return entry_error(target.raw, fail_errno("creating the file"));
  // Blocks carry offsets so sparse files stay sparse.
  int64_t end = 0;
  for (;;) {
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int rc = archive_read_data_block(stream.tar(), &block, &size, &offset);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return tl::unexpected(stream.corrupt_error());
    const char* data = static_cast<const char*>(block);
    size_t done = 0;
    while (done < size) {
      ssize_t n = ::pwrite(fd.get(), data + done, size - done, offset + static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return entry_error(target.raw, fail_errno("writing"));
      done += static_cast<size_t>(n);
    }
    end = std::max<int64_t>(end, offset + static_cast<int64_t>(size));
  }
  int64_t size = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : end;
  if (size > end && ::ftruncate(fd.get(), size) != 0)
    return entry_error(target.raw, fail_errno("extending a sparse file"));
  stats_->size += static_cast<uint64_t>(std::max(size, end));
  // chown clears setuid/setgid and file capabilities, so: owner, xattrs, mode.
  BURROW_CHECK(set_owner(target, fd.get(), entry));
  BURROW_CHECK(set_xattrs(target, fd.get(), entry));
  if (::fchmod(fd.get(), archive_entry_perm(entry)) != 0)
    return entry_error(target.raw, fail_errno("chmod"));
  return set_times(target, fd.get(), entry);
}

Status Unpacker::make_symlink(const Target& target, archive_entry* entry) {
  const char* link = archive_entry_symlink(entry);
  if (!link) return failf(EINVAL, "layer entry \"{}\" is a symlink without a target", target.raw);
  auto removed = remove_entry_at(target.parent.get(), target.name);
  if (!removed) return entry_error(target.raw, removed.error());
  // The target text is stored, never resolved here.
  if (::symlinkat(link, target.parent.get(), target.name.c_str()) != 0)
    return entry_error(target.raw, fail_errno("creating the symlink"));
  BURROW_CHECK(set_owner(target, -1, entry));
  return set_times(target, -1, entry);
}

Status Unpacker::make_hardlink(const Target& target, archive_entry* entry) {
  std::string link = archive_entry_hardlink(entry);
  auto components = normalize_entry_path(link);
  if (!components)
    return failf(EINVAL, "layer entry \"{}\" links to \"{}\", which escapes the layer directory",
                 target.raw, link);
  if (components->empty() || *components == target.components)
    return failf(EINVAL, "layer entry \"{}\" is a hard link to \"{}\", which is not a file",
                 target.raw, link);
  auto source_parent = open_beneath(root_fd_, join_components(*components, components->size() - 1),
                                    O_RDONLY | O_DIRECTORY);
  if (!source_parent && source_parent.error().code == EXDEV)
    return failf(EXDEV,
                 "layer entry \"{}\" links to \"{}\", which resolves outside the layer "
                 "directory",
                 target.raw, link);
  if (!source_parent) return entry_error(target.raw, source_parent.error());
  auto removed = remove_entry_at(target.parent.get(), target.name);
  if (!removed) return entry_error(target.raw, removed.error());
  // flags 0: a link to a symlink links the symlink itself, never its target.
  if (::linkat(source_parent->get(), components->back().c_str(), target.parent.get(),
               target.name.c_str(), 0) != 0)
    return entry_error(target.raw, fail_errno("hard link to \"{}\"", link));
  return base::ok();
}

Status Unpacker::make_node(const Target& target, archive_entry* entry) {
  auto removed = remove_entry_at(target.parent.get(), target.name);
  if (!removed) return entry_error(target.raw, removed.error());
  mode_t type = archive_entry_filetype(entry);
  dev_t dev = type == AE_IFIFO
                  ? 0
                  : makedev(archive_entry_rdevmajor(entry), archive_entry_rdevminor(entry));
  if (::mknodat(target.parent.get(), target.name.c_str(), type | 0600, dev) != 0) {
    // Rootless: the kernel never lets a user namespace create real devices;
    // the runtime bind-mounts the host's instead.
    if (errno == EPERM && type != AE_IFIFO) {
      ++stats_->skipped_devices;
      return base::ok();
    }
    return entry_error(target.raw, fail_errno("mknod"));
  }
  BURROW_CHECK(set_owner(target, -1, entry));
  // The node was just created by us in a directory nobody else writes to.
  if (::fchmodat(target.parent.get(), target.name.c_str(), archive_entry_perm(entry), 0) != 0)
    return entry_error(target.raw, fail_errno("chmod"));
  return set_times(target, -1, entry);
}

Status Unpacker::set_owner(const Target& target, int fd, archive_entry* entry) {
  bool override_ids = options_.owner_uid || options_.owner_gid;
  if (!options_.preserve_ownership && !override_ids) return base::ok();
  uid_t uid = static_cast<uid_t>(options_.owner_uid.value_or(archive_entry_uid(entry)));
  gid_t gid = static_cast<gid_t>(options_.owner_gid.value_or(archive_entry_gid(entry)));
  int rc =
      fd >= 0 ? ::fchown(fd, uid, gid)
              : ::fchownat(target.parent.get(), target.name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
  if (rc == 0) return base::ok();
  if (errno == EINVAL) {
    // The kernel's answer for an id with no mapping in this user namespace.
    bool uid_ok = id_is_mapped(uid, "/proc/self/uid_map");
    return failf(EINVAL,
                 "layer entry \"{}\" is owned by {} {} which is not mapped in the user namespace: "
                 "give the user a larger range in /etc/subuid and /etc/subgid",
                 target.raw, uid_ok ? "gid" : "uid", uid_ok ? gid : uid);
  }
  return entry_error(target.raw, fail_errno("chown to {}:{}", uid, gid));
}

Status Unpacker::set_xattrs(const Target& target, int fd, archive_entry* entry) {
  if (!options_.xattrs) return base::ok();
  archive_entry_xattr_reset(entry);
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
    if (!name || !keep_layer_xattr(name)) {
      base::debug("layer entry \"{}\": dropping xattr {}", target.raw, name ? name : "");
      continue;
    }
    if (::fsetxattr(fd, name, value, size, 0) != 0)
      return entry_error(target.raw, fail_errno("setting xattr {}", name));
  }
  return base::ok();
}

Status Unpacker::set_times(const Target& target, int fd, archive_entry* entry) {
  if (!archive_entry_mtime_is_set(entry)) return base::ok();
  struct timespec times[2];
  times[1] = {archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
  times[0] = archive_entry_atime_is_set(entry)
                 ? timespec{archive_entry_atime(entry), archive_entry_atime_nsec(entry)}
                 : times[1];
  int rc = fd >= 0
               ? ::futimens(fd, times)
               : ::utimensat(target.parent.get(), target.name.c_str(), times, AT_SYMLINK_NOFOLLOW);
  if (rc != 0) return entry_error(target.raw, fail_errno("setting times"));
  return base::ok();
}

Status Unpacker::finish_directories() {
  // Deepest first, so a parent made read-only or untraversable by its own
  // mode cannot block its children; equal depths keep archive order so a
  // repeated entry's last copy wins.
  std::stable_sort(pending_dirs_.begin(), pending_dirs_.end(),
                   [](const PendingDir& a, const PendingDir& b) { return a.depth > b.depth; });
  for (const auto& dir : pending_dirs_) {
    auto fd = open_beneath(root_fd_, dir.rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    // A later entry replaced the directory: its own metadata already applies.
    if (!fd &&
        (fd.error().code == ENOENT || fd.error().code == ENOTDIR || fd.error().code == ELOOP))
      continue;
    if (!fd) return entry_error(dir.rel, fd.error());
    if (::fchmod(fd->get(), dir.mode) != 0) return entry_error(dir.rel, fail_errno("chmod"));
    if (dir.has_times && ::futimens(fd->get(), dir.times) != 0)
      return entry_error(dir.rel, fail_errno("setting times"));
  }
  return base::ok();
}

}  // namespace burrow::storage

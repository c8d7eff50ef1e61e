#include "storage-fuse/layer_flatten.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "base/file_util.h"
#include "base/log.h"
#include "storage-fuse/layer_xattr.h"
#include "storage-fuse/safe_path.h"

namespace burrow::storage {

using base::fail_errno;
using base::Result;
using base::Status;
using base::UniqueFd;

namespace {

bool is_whiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == 0; }

bool is_opaque(int dir_fd) {
  char value[2] = {};
  return ::fgetxattr(dir_fd, "user.overlay.opaque", value, sizeof value) == 1 && value[0] == 'y';
}

Status copy_content(int from, int to) {
  for (;;) {
    ssize_t n = ::copy_file_range(from, nullptr, to, nullptr, 1 << 30, 0);
    if (n == 0) return base::ok();
    if (n > 0) continue;
    if (errno == EINTR) continue;
    if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) break;
    return fail_errno("copying");
  }
  // copy_file_range refused (old kernel, odd file system): plain copy.
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(from, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("reading");
    if (n == 0) return base::ok();
    BURROW_CHECK(base::write_all(to, std::string_view(buffer, static_cast<size_t>(n))));
  }
}

Status copy_xattrs(int from, int to) {
  std::vector<char> names(1 << 16);
  ssize_t len = ::flistxattr(from, names.data(), names.size());
  if (len < 0) return errno == ENOTSUP ? base::ok() : fail_errno("listing xattrs");
  std::vector<char> value(1 << 16);
  for (ssize_t pos = 0; pos < len;) {
    std::string name(names.data() + pos);
    pos += static_cast<ssize_t>(name.size()) + 1;
    if (!keep_layer_xattr(name)) continue;
    ssize_t size = ::fgetxattr(from, name.c_str(), value.data(), value.size());
    if (size < 0) return fail_errno("reading xattr {}", name);
    if (::fsetxattr(to, name.c_str(), value.data(), static_cast<size_t>(size), 0) == 0) continue;
    // File capabilities need privilege (root, or root in a user namespace).
    if (errno == EPERM && name == "security.capability") {
      base::debug("not copying {}: {}", name, std::strerror(errno));
      continue;
    }
    return fail_errno("setting xattr {}", name);
  }
  return base::ok();
}

class Flattener {
 public:
  explicit Flattener(int target_root) : target_root_(target_root) {}
  Status apply_dir(int layer_fd, int target_fd, const std::string& rel);
  // Owner, xattrs, mode, times: in that order because chown clears setuid.
  Status copy_metadata(int from_fd, int to_fd, const struct stat& st, const std::string& rel);

 private:
  Status apply_entry(int layer_fd, int target_fd, const std::string& name, const std::string& rel);
  Status apply_subdir(int layer_fd, int target_fd, const std::string& name, const std::string& rel);
  Status apply_file(int layer_fd, int target_fd, const std::string& name, const struct stat& st,
                    const std::string& rel);
  Status apply_special(int layer_fd, int target_fd, const std::string& name, const struct stat& st,
                       const std::string& rel);
  bool link_to_earlier_copy(int target_fd, const std::string& name, const struct stat& st);

  int target_root_;
  // Layer inode -> where its first copy went, to keep hard links linked.
  std::map<std::pair<dev_t, ino_t>, std::string> copied_inodes_;
};

Status Flattener::copy_metadata(int from_fd, int to_fd, const struct stat& st,
                                const std::string& rel) {
  // Best effort: an unprivileged caller keeps its own ids.
  if (::fchown(to_fd, st.st_uid, st.st_gid) != 0 && errno != EPERM && errno != EINVAL)
    return fail_errno("chown \"{}\"", rel);
  auto xattrs = copy_xattrs(from_fd, to_fd);
  if (!xattrs) return tl::unexpected(xattrs.error().with_context("\"" + rel + "\""));
  if (::fchmod(to_fd, st.st_mode & 07777) != 0) return fail_errno("chmod \"{}\"", rel);
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::futimens(to_fd, times) != 0) return fail_errno("setting times of \"{}\"", rel);
  return base::ok();
}

Status Flattener::apply_dir(int layer_fd, int target_fd, const std::string& rel) {
  BURROW_TRY(auto names, list_dir_at(layer_fd));
  for (const auto& name : names)
    BURROW_CHECK(apply_entry(layer_fd, target_fd, name, rel.empty() ? name : rel + "/" + name));
  return base::ok();
}

Status Flattener::apply_entry(int layer_fd, int target_fd, const std::string& name,
                              const std::string& rel) {
  struct stat st;
  if (::fstatat(layer_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return fail_errno("stat \"{}\" in the layer", rel);
  if (is_whiteout(st)) return remove_entry_at(target_fd, name);
  if (S_ISDIR(st.st_mode)) return apply_subdir(layer_fd, target_fd, name, rel);
  BURROW_CHECK(remove_entry_at(target_fd, name));
  if (S_ISREG(st.st_mode)) return apply_file(layer_fd, target_fd, name, st, rel);
  return apply_special(layer_fd, target_fd, name, st, rel);
}

Status Flattener::apply_subdir(int layer_fd, int target_fd, const std::string& name,
                               const std::string& rel) {
  UniqueFd from(::openat(layer_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!from) return fail_errno("opening \"{}\" in the layer", rel);
  struct stat existing;
  bool reuse = ::fstatat(target_fd, name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0 &&
               S_ISDIR(existing.st_mode);
  if (!reuse) {
    BURROW_CHECK(remove_entry_at(target_fd, name));
    // Owner-only until copy_metadata sets the layer's mode after the contents.
    if (::mkdirat(target_fd, name.c_str(), 0700) != 0) return fail_errno("mkdir \"{}\"", rel);
  }
  UniqueFd to(::openat(target_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!to) return fail_errno("opening \"{}\" in the target", rel);
  if (reuse && is_opaque(from.get())) BURROW_CHECK(clear_dir_at(to.get()));
  BURROW_CHECK(apply_dir(from.get(), to.get(), rel));
  struct stat st;
  if (::fstat(from.get(), &st) != 0) return fail_errno("stat \"{}\"", rel);
  return copy_metadata(from.get(), to.get(), st, rel);
}

bool Flattener::link_to_earlier_copy(int target_fd, const std::string& name,
                                     const struct stat& st) {
  if (st.st_nlink < 2) return false;
  auto it = copied_inodes_.find({st.st_dev, st.st_ino});
  if (it == copied_inodes_.end()) return false;
  auto components = normalize_entry_path(it->second);
  if (!components || components->empty()) return false;
  auto parent = open_beneath(target_root_, join_components(*components, components->size() - 1),
                             O_RDONLY | O_DIRECTORY);
  // Any failure (the first copy was replaced, EMLINK, ...) falls back to a copy.
  return parent &&
         ::linkat(parent->get(), components->back().c_str(), target_fd, name.c_str(), 0) == 0;
}

Status Flattener::apply_file(int layer_fd, int target_fd, const std::string& name,
                             const struct stat& st, const std::string& rel) {
  if (link_to_earlier_copy(target_fd, name, st)) return base::ok();
  UniqueFd from(::openat(layer_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!from) return fail_errno("opening \"{}\" in the layer", rel);
  UniqueFd to(::openat(target_fd, name.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!to) return fail_errno("creating \"{}\"", rel);
  auto copied = copy_content(from.get(), to.get());
  if (!copied) return tl::unexpected(copied.error().with_context("\"" + rel + "\""));
  BURROW_CHECK(copy_metadata(from.get(), to.get(), st, rel));
  if (st.st_nlink > 1) copied_inodes_.emplace(std::make_pair(st.st_dev, st.st_ino), rel);
  return base::ok();
}

Status Flattener::apply_special(int layer_fd, int target_fd, const std::string& name,
                                const struct stat& st, const std::string& rel) {
  if (S_ISLNK(st.st_mode)) {
    std::vector<char> link(static_cast<size_t>(st.st_size) + 2);
    ssize_t n = ::readlinkat(layer_fd, name.c_str(), link.data(), link.size() - 1);
    if (n < 0) return fail_errno("readlink \"{}\"", rel);
    link[static_cast<size_t>(n)] = '\0';
    if (::symlinkat(link.data(), target_fd, name.c_str()) != 0)
      return fail_errno("symlink \"{}\"", rel);
  } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    if (::mknodat(target_fd, name.c_str(), (st.st_mode & S_IFMT) | 0600, st.st_rdev) != 0) {
      if (errno == EPERM && !S_ISFIFO(st.st_mode)) {
        base::debug("skipping device \"{}\": mknod not permitted", rel);
        return base::ok();
      }
      return fail_errno("mknod \"{}\"", rel);
    }
    if (::fchmodat(target_fd, name.c_str(), st.st_mode & 07777, 0) != 0)
      return fail_errno("chmod \"{}\"", rel);
  } else {
    return base::ok();  // sockets: nothing an image needs
  }
  if (::fchownat(target_fd, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0 &&
      errno != EPERM && errno != EINVAL)
    return fail_errno("chown \"{}\"", rel);
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::utimensat(target_fd, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    return fail_errno("setting times of \"{}\"", rel);
  return base::ok();
}

}  // namespace

Status apply_layer_dir(const std::string& layer_dir, const std::string& target_dir) {
  BURROW_TRY(UniqueFd layer, base::open_dir(layer_dir));
  BURROW_TRY(UniqueFd target, base::open_dir(target_dir));
  Flattener flattener(target.get());
  if (is_opaque(layer.get())) BURROW_CHECK(clear_dir_at(target.get()));
  auto applied = flattener.apply_dir(layer.get(), target.get(), "");
  if (!applied) return tl::unexpected(applied.error().with_context("applying layer " + layer_dir));
  // The upper-most layer's root decides the root's mode, owner and times.
  struct stat st;
  if (::fstat(layer.get(), &st) != 0) return fail_errno("stat {}", layer_dir);
  return flattener.copy_metadata(layer.get(), target.get(), st, ".");
}

}  // namespace burrow::storage

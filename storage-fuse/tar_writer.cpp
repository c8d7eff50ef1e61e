// Runs in the CLI, inside the keeper's namespaces when rootless (so file
// owners read as the container sees them).
#include "storage-fuse/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "base/unique_fd.h"
#include "storage-fuse/layer_xattr.h"
#include "storage-fuse/safe_path.h"

namespace burrow::storage {

using base::fail_errno;
using base::Status;
using base::UniqueFd;

namespace {

constexpr size_t kCopyBuffer = 1 << 17;

struct EntryFree {
  void operator()(archive_entry* entry) const { archive_entry_free(entry); }
};
using EntryPtr = std::unique_ptr<archive_entry, EntryFree>;

std::string child_path(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "/" + name;
}

// O_NOFOLLOW on the last component, "" meaning dir_fd itself.
UniqueFd open_at(int dir_fd, const std::string& name, int flags) {
  return UniqueFd(::openat(dir_fd, name.empty() ? "." : name.c_str(),
                           flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY));
}

// Opens the entry fstatat just described, for reading. A running container
// can swap it meanwhile: a FIFO put in its place must not block the open
// (O_NONBLOCK), and anything but the same inode is an error, not an entry
// whose header and data disagree.
base::Result<UniqueFd> open_same(int dir_fd, const std::string& name, const std::string& as,
                                 const struct stat& expected) {
  int type = S_ISDIR(expected.st_mode) ? O_DIRECTORY : 0;
  UniqueFd fd = open_at(dir_fd, name, O_RDONLY | O_NONBLOCK | type);
  if (!fd) return fail_errno("opening \"{}\"", as);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return fail_errno("reading \"{}\"", as);
  if (st.st_dev != expected.st_dev || st.st_ino != expected.st_ino)
    return base::failf(EAGAIN, "\"{}\" was replaced while it was being archived", as);
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0)
    return fail_errno("opening \"{}\"", as);
  return fd;
}

}  // namespace

TarWriter::~TarWriter() {
  if (archive_) archive_write_free(archive_);
}

base::Error TarWriter::archive_error(const std::string& what) const {
  const char* text = archive_ ? archive_error_string(archive_) : nullptr;
  int code = archive_ ? archive_errno(archive_) : 0;
  return base::Error{code ? code : EIO,
                     fmt::format("writing the archive: {}: {}", what, text ? text : "error")};
}

Status TarWriter::open(int out_fd) {
  archive_ = archive_write_new();
  if (!archive_) return base::fail(ENOMEM, "allocating the archive writer");
  archive_write_set_format_pax_restricted(archive_);
  // No padding to a 10 KiB block: a layer's digest is of exactly what we write.
  archive_write_set_bytes_in_last_block(archive_, 1);
  if (archive_write_open_fd(archive_, out_fd) != ARCHIVE_OK)
    return tl::unexpected(archive_error("opening"));
  return base::ok();
}

Status TarWriter::close() {
  if (closed_) return base::ok();
  closed_ = true;
  if (archive_write_close(archive_) != ARCHIVE_OK) return tl::unexpected(archive_error("closing"));
  return base::ok();
}

Status TarWriter::add_tree(int dir_fd, const std::string& name, const std::string& as) {
  struct stat st;
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0)
    return fail_errno("reading \"{}\"", as.empty() ? name : as);
  if (!as.empty()) BURROW_CHECK(add_stat(dir_fd, name, as, st));
  if (!S_ISDIR(st.st_mode)) return base::ok();
  UniqueFd dir = open_at(dir_fd, name, O_RDONLY | O_DIRECTORY);
  if (!dir) return fail_errno("opening directory \"{}\"", as.empty() ? name : as);
  return add_children(dir.get(), as);
}

Status TarWriter::add_children(int dir_fd, const std::string& prefix) {
  BURROW_TRY(auto names, list_dir_at(dir_fd));
  // Sorted, so the same tree always gives the same archive.
  std::sort(names.begin(), names.end());
  for (const auto& name : names) BURROW_CHECK(add_tree(dir_fd, name, child_path(prefix, name)));
  return base::ok();
}

Status TarWriter::add_entry(int dir_fd, const std::string& name, const std::string& as) {
  struct stat st;
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0)
    return fail_errno("reading \"{}\"", as);
  return add_stat(dir_fd, name, as, st);
}

Status TarWriter::add_empty_file(const std::string& as, mode_t mode) {
  EntryPtr entry(archive_entry_new());
  archive_entry_set_pathname(entry.get(), as.c_str());
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), mode);
  archive_entry_set_size(entry.get(), 0);
  if (archive_write_header(archive_, entry.get()) != ARCHIVE_OK)
    return tl::unexpected(archive_error(as));
  return base::ok();
}

Status TarWriter::add_stat(int dir_fd, const std::string& name, const std::string& as,
                           const struct stat& st) {
  // Sockets are only meaningful to the process that bound them.
  if (S_ISSOCK(st.st_mode)) return base::ok();
  EntryPtr entry(archive_entry_new());
  archive_entry_set_pathname(entry.get(), as.c_str());
  archive_entry_set_uid(entry.get(), st.st_uid);
  archive_entry_set_gid(entry.get(), st.st_gid);
  archive_entry_set_mtime(entry.get(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  archive_entry_set_mode(entry.get(), st.st_mode);
  if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
    auto [it, first] = links_.emplace(std::make_pair(st.st_dev, st.st_ino), as);
    if (!first) {
      archive_entry_set_hardlink(entry.get(), it->second.c_str());
      archive_entry_set_size(entry.get(), 0);
      if (archive_write_header(archive_, entry.get()) != ARCHIVE_OK)
        return tl::unexpected(archive_error(as));
      return base::ok();
    }
  }
  UniqueFd fd;
  if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
    BURROW_TRY(fd, open_same(dir_fd, name, as, st));
  }
  if (S_ISREG(st.st_mode)) archive_entry_set_size(entry.get(), st.st_size);
  if (S_ISLNK(st.st_mode)) {
    std::vector<char> target(static_cast<size_t>(st.st_size) + 2);
    ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size() - 1);
    if (n < 0) return fail_errno("reading symlink \"{}\"", as);
    target[static_cast<size_t>(n)] = '\0';
    archive_entry_set_symlink(entry.get(), target.data());
  }
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    archive_entry_set_rdevmajor(entry.get(), major(st.st_rdev));
    archive_entry_set_rdevminor(entry.get(), minor(st.st_rdev));
  }
  if (options_.xattrs && fd) BURROW_CHECK(add_xattrs(entry.get(), fd.get(), as));
  if (archive_write_header(archive_, entry.get()) != ARCHIVE_OK)
    return tl::unexpected(archive_error(as));
  if (S_ISREG(st.st_mode)) return write_data(fd.get(), as);
  return base::ok();
}

Status TarWriter::write_data(int fd, const std::string& as) {
  std::vector<char> buffer(kCopyBuffer);
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("reading \"{}\"", as);
    if (n == 0) return base::ok();
    if (archive_write_data(archive_, buffer.data(), static_cast<size_t>(n)) < 0)
      return tl::unexpected(archive_error(as));
  }
}

Status TarWriter::add_xattrs(archive_entry* entry, int fd, const std::string& as) {
  ssize_t size = ::flistxattr(fd, nullptr, 0);
  if (size < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP)) return base::ok();
  if (size < 0) return fail_errno("listing xattrs of \"{}\"", as);
  std::vector<char> names(static_cast<size_t>(size) + 1);
  size = ::flistxattr(fd, names.data(), names.size());
  if (size < 0) return fail_errno("listing xattrs of \"{}\"", as);
  for (const char* name = names.data(); name < names.data() + size; name += strlen(name) + 1) {
    if (!keep_layer_xattr(name)) continue;
    ssize_t length = ::fgetxattr(fd, name, nullptr, 0);
    if (length < 0) continue;  // removed meanwhile
    std::vector<char> value(static_cast<size_t>(length) + 1);
    length = ::fgetxattr(fd, name, value.data(), value.size());
    if (length < 0) continue;
    archive_entry_xattr_add_entry(entry, name, value.data(), static_cast<size_t>(length));
  }
  return base::ok();
}

}  // namespace burrow::storage

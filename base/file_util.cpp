#include "base/file_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace burrow::base {

Result<std::string> read_fd(int fd, size_t limit) {
  std::string out;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read");
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > limit)
      return failf(EFBIG, "file is larger than the {} byte limit", limit);
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

Result<std::string> read_file_limited(const std::string& path, size_t limit) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno("opening {}", path);
  auto content = read_fd(fd.get(), limit);
  if (!content) return tl::unexpected(content.error().with_context("reading " + path));
  return content;
}

Result<std::string> read_file(const std::string& path) {
  return read_file_limited(path, size_t{1} << 30);
}

Status write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("write");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok();
}

Status write_file_atomic(const std::string& path, std::string_view content, mode_t mode,
                         bool durable) {
  std::string tmp = path + ".tmp-XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd) return fail_errno("creating a temporary file for {}", path);
  auto cleanup_on_error = [&](Error e) {
    ::unlink(tmp.c_str());
    return tl::unexpected(e.with_context("writing " + path));
  };
  if (::fchmod(fd.get(), mode) != 0) return cleanup_on_error(fail_errno("fchmod").value());
  if (auto s = write_all(fd.get(), content); !s) return cleanup_on_error(s.error());
  if (durable && ::fsync(fd.get()) != 0) return cleanup_on_error(fail_errno("fsync").value());
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return cleanup_on_error(fail_errno("rename").value());
  return ok();
}

namespace {

Status ok_if_directory(const std::string& path) {
  if (!is_directory(path)) return failf(ENOTDIR, "{} exists and is not a directory", path);
  return ok();
}

}  // namespace

Status make_dirs(const std::string& path, mode_t mode) {
  if (path.empty()) return ok();
  // The common case is a path that already exists (or whose parent does):
  // one mkdir, not one per component. Commands call this on every start.
  if (::mkdir(path.c_str(), mode) == 0) return ok();
  if (errno == ENOENT) {
    size_t slash = path.find_last_of('/');
    if (slash != std::string::npos && slash > 0)
      BURROW_CHECK(make_dirs(path.substr(0, slash), mode));
    if (::mkdir(path.c_str(), mode) == 0 || errno == EEXIST) return ok_if_directory(path);
    return fail_errno("creating directory {}", path);
  }
  if (errno != EEXIST) return fail_errno("creating directory {}", path);
  return ok_if_directory(path);
}

namespace {

Status remove_children(int dir_fd, const std::string& shown_path) {
  int dup_fd = ::dup(dir_fd);
  if (dup_fd < 0) return fail_errno("dup");
  DIR* dir = ::fdopendir(dup_fd);
  if (!dir) {
    ::close(dup_fd);
    return fail_errno("listing {}", shown_path);
  }
  std::vector<std::string> names;
  while (dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(dir);
  for (const auto& name : names) {
    if (::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) continue;
    if (errno != EISDIR && errno != EPERM) return fail_errno("removing {}/{}", shown_path, name);
    UniqueFd child(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!child) return fail_errno("opening {}/{}", shown_path, name);
    BURROW_CHECK(remove_children(child.get(), shown_path + "/" + name));
    if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
      return fail_errno("removing {}/{}", shown_path, name);
  }
  return ok();
}

}  // namespace

Status remove_tree(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return ok();
    return fail_errno("stat {}", path);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fail_errno("removing {}", path);
    return ok();
  }
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fail_errno("opening {}", path);
  BURROW_CHECK(remove_children(fd.get(), path));
  if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return fail_errno("removing {}", path);
  return ok();
}

bool path_exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::string> make_temp_dir(const std::string& parent, const std::string& prefix) {
  std::string templ = path_join(parent, prefix + "XXXXXX");
  if (!::mkdtemp(templ.data())) return fail_errno("creating a temporary directory in {}", parent);
  return templ;
}

std::string path_join(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  while (!b.empty() && b.front() == '/') b.remove_prefix(1);
  std::string out(a);
  if (out.back() != '/') out += '/';
  out += b;
  return out;
}

Result<UniqueFd> open_resolved(int dir_fd, const std::string& path, int flags, uint64_t resolve) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = resolve;
  const char* target = path.empty() ? "." : path.c_str();
  for (;;) {
    long fd = ::syscall(SYS_openat2, dir_fd, target, &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno != EINTR && errno != EAGAIN) return fail_errno("opening \"{}\"", path);
  }
}

Result<UniqueFd> open_dir(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return fail_errno("opening directory {}", path);
  return fd;
}

}  // namespace burrow::base

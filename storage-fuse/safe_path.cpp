#include "storage-fuse/safe_path.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file_util.h"

namespace burrow::storage {

using base::fail_errno;
using base::failf;
using base::Result;
using base::Status;
using base::UniqueFd;

Result<std::vector<std::string>> normalize_entry_path(std::string_view raw) {
  std::vector<std::string> components;
  size_t start = 0;
  while (start <= raw.size()) {
    size_t end = raw.find('/', start);
    if (end == std::string_view::npos) end = raw.size();
    std::string_view part = raw.substr(start, end - start);
    if (part == "..") return failf(EINVAL, "layer entry \"{}\" escapes the layer directory", raw);
    if (!part.empty() && part != ".") components.emplace_back(part);
    start = end + 1;
  }
  return components;
}

std::string join_components(const std::vector<std::string>& components, size_t count) {
  std::string out;
  for (size_t i = 0; i < count && i < components.size(); ++i) {
    if (i) out += '/';
    out += components[i];
  }
  return out;
}

Result<UniqueFd> open_beneath(int root_fd, const std::string& rel, int flags) {
  return base::open_resolved(root_fd, rel, flags, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
}

Result<UniqueFd> open_parent_dir(int root_fd, const std::vector<std::string>& components) {
  size_t parents = components.empty() ? 0 : components.size() - 1;
  std::string whole = join_components(components, parents);
  auto direct = open_beneath(root_fd, whole, O_RDONLY | O_DIRECTORY);
  if (direct || direct.error().code != ENOENT) return direct;

  // Some parent is missing (archives may omit directory entries): walk down,
  // creating what is missing. mkdirat never follows a symlink in its last
  // component, and every reopen is checked beneath root_fd again.
  UniqueFd current;
  BURROW_TRY(current, open_beneath(root_fd, "", O_RDONLY | O_DIRECTORY));
  for (size_t i = 0; i < parents; ++i) {
    std::string prefix = join_components(components, i + 1);
    auto next = open_beneath(root_fd, prefix, O_RDONLY | O_DIRECTORY);
    if (!next && next.error().code == ENOENT) {
      if (::mkdirat(current.get(), components[i].c_str(), 0755) != 0 && errno != EEXIST)
        return fail_errno("creating directory \"{}\"", prefix);
      next = open_beneath(root_fd, prefix, O_RDONLY | O_DIRECTORY);
    }
    if (!next) return tl::unexpected(next.error());
    current = std::move(*next);
  }
  return current;
}

Result<std::vector<std::string>> list_dir_at(int dir_fd) {
  int dup_fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup_fd < 0) return fail_errno("reopening directory");
  DIR* dir = ::fdopendir(dup_fd);
  if (!dir) {
    ::close(dup_fd);
    return fail_errno("listing directory");
  }
  std::vector<std::string> names;
  errno = 0;
  while (dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  int saved = errno;
  ::closedir(dir);
  if (saved != 0) {
    errno = saved;
    return fail_errno("listing directory");
  }
  return names;
}

Status clear_dir_at(int dir_fd) {
  BURROW_TRY(auto names, list_dir_at(dir_fd));
  for (const auto& name : names) BURROW_CHECK(remove_entry_at(dir_fd, name));
  return base::ok();
}

Status remove_entry_at(int dir_fd, const std::string& name) {
  if (::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return base::ok();
  if (errno != EISDIR) return fail_errno("removing \"{}\"", name);
  UniqueFd child(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!child) return fail_errno("opening \"{}\"", name);
  auto cleared = clear_dir_at(child.get());
  if (!cleared) return tl::unexpected(cleared.error().with_context("removing \"" + name + "\""));
  if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    return fail_errno("removing directory \"{}\"", name);
  return base::ok();
}

}  // namespace burrow::storage

// Path handling for untrusted trees (layer archives, layer directories):
// nothing here ever follows a symlink out of the directory it works in.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace burrow::storage {

// Splits an archive entry path into components: leading "/" and "./", empty
// and "." components are dropped; a ".." component is refused (EINVAL) with
// the message `layer entry "<raw>" escapes the layer directory`. An empty
// vector means the layer root itself.
base::Result<std::vector<std::string>> normalize_entry_path(std::string_view raw);

std::string join_components(const std::vector<std::string>& components, size_t count);

// openat2(root_fd, rel, flags, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS):
// symlinks are followed only while they stay under root_fd, otherwise the
// error carries EXDEV. An empty `rel` reopens root_fd itself.
base::Result<base::UniqueFd> open_beneath(int root_fd, const std::string& rel, int flags);

// Opens the directory holding the last component, creating missing parent
// directories (mode 0755) on the way. Each step is resolved beneath root_fd.
base::Result<base::UniqueFd> open_parent_dir(int root_fd,
                                             const std::vector<std::string>& components);

// Removes `name` in dir_fd whatever it is; directories are emptied first
// without following symlinks. A missing entry is not an error.
base::Status remove_entry_at(int dir_fd, const std::string& name);

// Removes every entry in dir_fd (not the directory itself).
base::Status clear_dir_at(int dir_fd);

// Lists the names in a directory (without "." and "..").
base::Result<std::vector<std::string>> list_dir_at(int dir_fd);

}  // namespace burrow::storage

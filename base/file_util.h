// Small file-system helpers shared by every module.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace burrow::base {

Result<std::string> read_file(const std::string& path);
// Reads at most `limit` bytes; refuses larger files so hostile input cannot exhaust memory.
Result<std::string> read_file_limited(const std::string& path, size_t limit);
Result<std::string> read_fd(int fd, size_t limit);
Status write_all(int fd, std::string_view data);

// Writes to a temporary file beside `path`, then renames it over `path`:
// readers see the old or the new content, never a torn one. `durable`
// fsyncs first, for state that must survive a crash of the machine.
Status write_file_atomic(const std::string& path, std::string_view content, mode_t mode = 0644,
                         bool durable = true);

Status make_dirs(const std::string& path, mode_t mode = 0755);
// Removes a tree without following symlinks; a missing path is not an error.
Status remove_tree(const std::string& path);
bool path_exists(const std::string& path);
bool is_directory(const std::string& path);

// Creates a fresh directory "<parent>/<prefix>XXXXXX" and returns its path.
Result<std::string> make_temp_dir(const std::string& parent, const std::string& prefix);

std::string path_join(std::string_view a, std::string_view b);
Result<UniqueFd> open_dir(const std::string& path);

// openat2(2) relative to `dir_fd` with RESOLVE_* flags in `resolve` (for
// example RESOLVE_BENEATH or RESOLVE_IN_ROOT): the one way burrow opens a
// path inside a tree it does not trust. Retries the kernel's EAGAIN (a
// concurrent rename raced the lookup); the error keeps errno.
Result<UniqueFd> open_resolved(int dir_fd, const std::string& path, int flags, uint64_t resolve);

}  // namespace burrow::base

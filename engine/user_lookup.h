// Resolves the container user ("-u name:group", the image's User) against
// the image's own /etc/passwd and /etc/group, never the host's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace burrow::engine {

struct ResolvedUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;
  std::string home = "/";
};

// Pure: `passwd` and `group` are the files' contents (may be empty).
Result<ResolvedUser> resolve_user(std::string_view spec, std::string_view passwd,
                                  std::string_view group);

// Reads a file of the container's rootfs with every path component resolved
// inside it (a hostile image's /etc/passwd -> /host/file cannot leak host
// files). A missing file reads as empty.
Result<std::string> read_file_in_root(const std::string& rootfs, const std::string& path);

// resolve_user() against the rootfs's own /etc/passwd and /etc/group.
Result<ResolvedUser> resolve_user_in_root(const std::string& rootfs, std::string_view spec);

}  // namespace burrow::engine

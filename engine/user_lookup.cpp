#include "engine/user_lookup.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <optional>

#include "base/file_util.h"
#include "base/strings.h"

namespace burrow::engine {
namespace {

std::optional<uint32_t> numeric_id(std::string_view text) {
  uint32_t value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string home;
};

// Finds the entry whose name (or, for a number, uid) matches.
std::optional<PasswdEntry> find_passwd(std::string_view passwd, std::string_view user) {
  auto wanted_id = numeric_id(user);
  for (const auto& line : base::split(passwd, '\n')) {
    auto fields = base::split(line, ':');
    if (fields.size() < 7) continue;
    auto uid = numeric_id(fields[2]);
    auto gid = numeric_id(fields[3]);
    if (!uid || !gid) continue;
    if (fields[0] == user || (wanted_id && *uid == *wanted_id))
      return PasswdEntry{fields[0], *uid, *gid, fields[5]};
  }
  return std::nullopt;
}

std::optional<uint32_t> find_group(std::string_view group, std::string_view name) {
  for (const auto& line : base::split(group, '\n')) {
    auto fields = base::split(line, ':');
    if (fields.size() >= 3 && fields[0] == name) return numeric_id(fields[2]);
  }
  return std::nullopt;
}

std::vector<uint32_t> groups_with_member(std::string_view group, std::string_view user,
                                         uint32_t primary) {
  std::vector<uint32_t> gids;
  for (const auto& line : base::split(group, '\n')) {
    auto fields = base::split(line, ':');
    if (fields.size() < 4) continue;
    auto gid = numeric_id(fields[2]);
    if (!gid || *gid == primary) continue;
    for (const auto& member : base::split(fields[3], ','))
      if (member == user) gids.push_back(*gid);
  }
  return gids;
}

}  // namespace

Result<ResolvedUser> resolve_user(std::string_view spec, std::string_view passwd,
                                  std::string_view group) {
  ResolvedUser resolved;
  size_t colon = spec.find(':');
  std::string_view user = spec.substr(0, colon);
  std::string_view group_part = colon == std::string_view::npos ? "" : spec.substr(colon + 1);
  if (user.empty()) user = "0";
  auto entry = find_passwd(passwd, user);
  if (entry) {
    resolved.uid = entry->uid;
    resolved.gid = entry->gid;
    resolved.home = entry->home.empty() ? "/" : entry->home;
    resolved.additional_gids = groups_with_member(group, entry->name, entry->gid);
  } else if (auto uid = numeric_id(user)) {
    resolved.uid = *uid;  // a uid without a passwd entry runs with gid 0
  } else {
    return base::failf(ENOENT, "unable to find user {}: no matching entries in passwd file", user);
  }
  if (!group_part.empty()) {
    if (auto gid = numeric_id(group_part)) {
      resolved.gid = *gid;
    } else if (auto named = find_group(group, group_part)) {
      resolved.gid = *named;
    } else {
      return base::failf(ENOENT, "unable to find group {}: no matching entries in group file",
                         group_part);
    }
    // An explicit group replaces the passwd groups, as with Podman.
    resolved.additional_gids.clear();
  }
  return resolved;
}

Result<std::string> read_file_in_root(const std::string& rootfs, const std::string& path) {
  BURROW_TRY(base::UniqueFd root, base::open_dir(rootfs));
  std::string relative = path;
  while (!relative.empty() && relative.front() == '/') relative.erase(0, 1);
  // O_NONBLOCK: a hostile image's /etc/passwd could be a FIFO.
  auto fd = base::open_resolved(root.get(), relative, O_RDONLY | O_NONBLOCK,
                                RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (!fd) {
    if (fd.error().code == ENOENT || fd.error().code == ENOTDIR) return std::string();
    return tl::unexpected(fd.error().with_context("in the container"));
  }
  struct stat st;
  if (::fstat(fd->get(), &st) != 0) return base::fail_errno("stat {} in the container", path);
  if (!S_ISREG(st.st_mode))
    return base::failf(EINVAL, "{} in the container is not a regular file", path);
  return base::read_fd(fd->get(), 16 << 20);
}

Result<ResolvedUser> resolve_user_in_root(const std::string& rootfs, std::string_view spec) {
  BURROW_TRY(std::string passwd, read_file_in_root(rootfs, "/etc/passwd"));
  BURROW_TRY(std::string group, read_file_in_root(rootfs, "/etc/group"));
  return resolve_user(spec, passwd, group);
}

}  // namespace burrow::engine

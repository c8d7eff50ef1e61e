#include "engine/host_profile.h"

#include <pwd.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "base/file_util.h"
#include "base/log.h"
#include "base/strings.h"

namespace burrow::engine {
namespace {

constexpr long kCgroup2Magic = 0x63677270;

// The host id that `id` stands for when this process runs in a user
// namespace, from a map file ("inside outside count" lines); nullopt in the
// initial namespace, whose map is the identity over the whole id space.
std::optional<uint32_t> outside_id(const char* map_file, uint32_t id) {
  auto content = base::read_file_limited(map_file, 64 << 10);
  if (!content) return std::nullopt;
  for (const auto& line : base::split(*content, '\n')) {
    unsigned long inside = 0, outside = 0, count = 0;
    if (std::sscanf(line.c_str(), "%lu %lu %lu", &inside, &outside, &count) != 3) continue;
    if (inside == 0 && outside == 0 && count == 4294967295UL) return std::nullopt;
    if (id >= inside && id - inside < count) return static_cast<uint32_t>(outside + id - inside);
  }
  return std::nullopt;
}

}  // namespace

HostProfile HostProfile::probe() {
  HostProfile host;
  host.uid = ::geteuid();
  host.gid = ::getegid();
  // A command started inside burrow's user namespace (the monitor's exit
  // command, for one) is root there but still the unprivileged user outside.
  if (auto uid = outside_id("/proc/self/uid_map", host.uid)) {
    host.uid = *uid;
    host.gid = outside_id("/proc/self/gid_map", host.gid).value_or(host.gid);
    host.in_user_namespace = true;
  }
  host.rootless = host.uid != 0;
  if (const passwd* pw = ::getpwuid(host.uid)) {
    host.user_name = pw->pw_name;
    host.home = pw->pw_dir;
  }
  if (const char* home = std::getenv("HOME"); home && *home) host.home = home;
  if (host.rootless) {
    auto subuids = userns::read_subid_ranges("/etc/subuid", host.user_name, host.uid);
    auto subgids = userns::read_subid_ranges("/etc/subgid", host.user_name, host.uid);
    if (subuids) host.subuids = *subuids;
    if (subgids) host.subgids = *subgids;
    host.map_helpers = userns::MapHelpers::find();
  }
  struct statfs fs;
  host.cgroup_v2 = ::statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == kCgroup2Magic;
  struct utsname uts;
  if (::uname(&uts) == 0) host.kernel_release = uts.release;
  return host;
}

}  // namespace burrow::engine

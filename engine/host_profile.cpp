#include "engine/host_profile.h"

#include <pwd.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>

#include "base/log.h"

namespace burrow::engine {
namespace {

constexpr long kCgroup2Magic = 0x63677270;

}  // namespace

HostProfile HostProfile::probe() {
  HostProfile host;
  host.uid = ::geteuid();
  host.gid = ::getegid();
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

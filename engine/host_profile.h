// HostProfile: what this host and user can do, probed once per command at
// the edge (before joining any namespace). The library decides rootless or
// privileged behaviour from this, never from geteuid() at the call site.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "userns/map_writer.h"
#include "userns/subid.h"

namespace burrow::engine {

struct HostProfile {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user_name;
  std::string home;
  bool rootless = false;
  // This process already runs in a user namespace (uid and gid above are
  // then the host ids it maps to).
  bool in_user_namespace = false;
  std::vector<userns::SubIdRange> subuids;
  std::vector<userns::SubIdRange> subgids;
  userns::MapHelpers map_helpers;
  bool cgroup_v2 = false;  // unified hierarchy mounted at /sys/fs/cgroup
  std::string kernel_release;

  // The cheap probe: ids, passwd entry, subordinate ranges, helpers, kernel.
  static HostProfile probe();
};

}  // namespace burrow::engine

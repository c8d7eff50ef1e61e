// Network namespaces bound to files, so that they exist before the
// container does (its uplink or netavark is set up on the file while the
// container is still being created) and after it, until torn down.
#pragma once

#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace burrow::net {

// A new network namespace, owned by the caller's user namespace, with lo
// up, bind-mounted on `path` (created here; it must not exist).
Status create_netns_file(const std::string& path);

// The same, and a netlink socket opened inside the new namespace that
// receives its route changes from now on (read_route_changes), so that no
// change an uplink makes is missed.
Result<base::UniqueFd> create_watched_netns_file(const std::string& path);

// Detaches the bind mount (helpers may still hold the namespace open) and
// removes the file. A missing file is not an error.
Status remove_netns_file(const std::string& path);

}  // namespace burrow::net

// When pasta has configured a namespace. pasta's first process exits only
// after it also filled its socket and pipe pools, which takes most of its
// start-up (tens of milliseconds of page faults); the namespace itself is
// complete earlier, once the default routes it copies from the host are in.
#pragma once

#include <cstddef>

#include "base/result.h"

namespace burrow::net {

// Which families have a default route (in the host, or added so far in a
// container's namespace).
struct DefaultRoutes {
  bool ipv4 = false;
  bool ipv6 = false;

  bool any() const { return ipv4 || ipv6; }
  // Whether every family `expected` has is also here.
  bool cover(const DefaultRoutes& expected) const {
    return (ipv4 || !expected.ipv4) && (ipv6 || !expected.ipv6);
  }
};

// The host's default routes: IPv4 as host_uplink() found it (the caller
// has read it already), IPv6 from /proc/net/ipv6_route. pasta configures
// each such family, last of all adding its default route.
DefaultRoutes host_default_routes(bool ipv4_uplink);

// The parser of /proc/net/ipv6_route, for the unit tests.
bool ipv6_table_has_default(const std::string& proc_net_ipv6_route);

// Notes the default routes that the netlink messages in buffer add
// (RTM_NEWROUTE to 0/0 or ::/0 in the main table).
void note_default_routes(const char* buffer, size_t size, DefaultRoutes& seen);

// Reads what the route-change socket (see create_netns_file) has queued
// and notes the default routes added. Never blocks.
Status read_route_changes(int fd, DefaultRoutes& seen);

}  // namespace burrow::net

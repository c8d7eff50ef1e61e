// The host's uplink: the interface of its default route, that interface's
// first IPv4 address and the gateway. pasta copies them into the container,
// so they are what the container sees, and the gateway address is where
// pasta lets the container reach the host.
#pragma once

#include <optional>
#include <string>

namespace burrow::net {

struct HostUplink {
  std::string interface;
  std::string address;  // IPv4, dotted
  std::string gateway;  // IPv4, dotted; empty for a route without one
};

// Read from /proc/net/route and getifaddrs; nullopt without a default route.
std::optional<HostUplink> host_uplink();

// The default route of a /proc/net/route table, the first that is up to
// 0.0.0.0/0: its interface and gateway (no address).
std::optional<HostUplink> default_route_in(const std::string& proc_net_route);

// The first non-loopback IPv4 address of the host ("" when none): the
// address slirp4netns users reach the host at without allow_host_loopback.
std::string first_host_address();

}  // namespace burrow::net

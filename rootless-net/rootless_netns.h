// The rootless network namespace: one per user and run root, owned by the
// keeper's user namespace, where netavark puts the bridges, firewall rules
// and aardvark-dns of rootless bridge networks. Containers join it through
// the veth pairs netavark creates; slirp4netns is its uplink to the host, and
// its API socket forwards published host ports to the namespace, where
// netavark's DNAT rules send them on to the container. Podman 4 builds the
// same thing (its "rootless-netns").
//
// Runs in the CLI process, inside the keeper's user and mount namespace (the
// namespace file is a bind mount there; netavark needs CAP_NET_ADMIN over
// both the rootless and the container's namespace, which that user
// namespace owns).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "rootless-net/port_spec.h"

namespace burrow::net {

// slirp4netns's address in the namespace (its default 10.0.2.0/24): host
// ports are forwarded to it, on the same port number.
inline constexpr const char* kRootlessNetnsAddress = "10.0.2.100";

struct RootlessNetns {
  std::string dir;         // RUN_ROOT/rootless-netns
  std::string netns_path;  // the namespace, bound to a file: NetavarkEnv::host_netns
  std::string api_socket;  // slirp4netns's API socket (kSlirpApiSocket in dir)
};

// The paths for a run root, whether or not the namespace exists.
RootlessNetns rootless_netns_paths(const std::string& run_root);

// Creates the namespace and starts slirp4netns for it unless both are there
// already (a namespace whose slirp4netns died is made anew). Serialised by
// RUN_ROOT/rootless-netns.lock.
Result<RootlessNetns> ensure_rootless_netns(const std::string& run_root);

// Stops slirp4netns and removes the namespace: for the engine, after the
// last container on a bridge network has been torn down.
Status remove_rootless_netns(const std::string& run_root);

// Publishes `ports` on the host (host_ip or all addresses) through
// slirp4netns, to the same port in the namespace. IPv6 host addresses are
// refused: slirp4netns forwards them to the namespace's IPv4 address.
Status add_rootless_port_forwards(const RootlessNetns& netns,
                                  const std::vector<PortMapping>& ports);

// Undoes add_rootless_port_forwards; forwards already gone are no error.
Status remove_rootless_port_forwards(const RootlessNetns& netns,
                                     const std::vector<PortMapping>& ports);

// The ports as netavark must see them in the rootless namespace: the
// traffic arrives there addressed to kRootlessNetnsAddress, so a host_ip
// (which slirp4netns has already matched on the host) would never match.
std::vector<PortMapping> rootless_netavark_ports(std::vector<PortMapping> ports);

}  // namespace burrow::net

// How a container is networked: the value of its --network flags, parsed
// into one mode and, for bridge networks, the user networks it joins.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace burrow::net {

enum class NetworkKind {
  kNone,         // only lo
  kHost,         // the host's network namespace
  kPasta,        // a private namespace with pasta as its uplink
  kSlirp4netns,  // a private namespace with slirp4netns as its uplink
  kBridge,       // one or more netavark networks
  kContainer,    // the namespace of another container (target: its id)
  kPath,         // an existing namespace file (target: its path)
};

// One network a container joins (bridge mode), with its per-network flags.
struct NetworkAttachment {
  std::string network;                  // the network's name
  std::vector<std::string> aliases;     // --network-alias, alias=
  std::vector<std::string> static_ips;  // --ip, --ip6, ip=
  std::string static_mac;               // --mac-address, mac=
  std::string interface_name;           // interface_name=; empty: eth0, eth1, ...
};

struct NetworkMode {
  NetworkKind kind = NetworkKind::kNone;
  std::vector<std::string> helper_options;  // pasta:A,B / slirp4netns:A,B
  std::string target;                       // container:NAME or ns:PATH
  std::vector<NetworkAttachment> networks;  // kBridge, in the order given
};

// The network every container joins when --network names none (Podman's).
inline constexpr const char* kDefaultNetwork = "podman";

// The values of all --network flags, in order. An empty list is the
// default for this host (rootless: pasta, or slirp4netns without pasta;
// root: the default bridge network). Errors name the accepted forms.
Result<NetworkMode> parse_network_flags(const std::vector<std::string>& values, bool rootless);

// The default mode when no --network is given.
NetworkMode default_network_mode(bool rootless);

// The mode as `inspect` shows it in HostConfig.NetworkMode: "none",
// "host", "pasta", "slirp4netns", "bridge", "container:ID" or "ns:PATH".
std::string network_mode_name(const NetworkMode& mode);

// The inverse of network_mode_name for the kinds that need no more data
// (used to read records stored before networks existed).
Result<NetworkKind> network_kind_from_name(const std::string& name);

// Whether the container gets a network namespace of its own that burrow
// creates (and tears down).
bool has_private_namespace(NetworkKind kind);

// Whether the mode can publish ports (-p).
bool can_publish_ports(NetworkKind kind);

}  // namespace burrow::net

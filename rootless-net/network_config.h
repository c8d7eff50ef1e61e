// User networks (bridge networks run by netavark): the model, its JSON form
// and the rules for a new one. The JSON is netavark's network schema, the
// same file Podman 4 writes to /etc/containers/networks/NAME.json, so a
// Network can be handed to netavark as it is stored.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "rootless-net/subnet.h"

namespace burrow::net {

struct NetworkSubnet {
  Subnet subnet;
  std::optional<IpAddress> gateway;  // none: internal networks without DNS
  std::optional<IpRange> lease_range;
};

struct Network {
  std::string name;
  std::string id;  // 64 lower-case hex digits
  std::string driver = "bridge";
  std::string network_interface;  // the bridge: podman0, podman1, ...
  std::string created;            // RFC 3339 with nanoseconds, as written
  std::vector<NetworkSubnet> subnets;
  bool ipv6_enabled = false;
  bool internal = false;  // no route out of the network
  bool dns_enabled = false;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> options;  // mtu, vlan, isolate
  std::map<std::string, std::string> ipam_options = {{"driver", "host-local"}};
};

// Podman's default network, which every container joins when --network
// names none. It is never stored: it always reads the same.
inline constexpr const char* kDefaultNetworkId =
    "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9";
Network default_network(std::string created);

// The JSON object, in netavark's field order; optional fields (lease_range,
// labels, options, a missing gateway) are left out when empty, as Podman
// does.
nlohmann::ordered_json network_json(const Network& network);
// The file form: network_json indented as Podman writes it.
std::string network_file_text(const Network& network);

// Reads network_json's form. Strict: a missing or mistyped field, an unknown
// field, a subnet or gateway that does not parse, or a rule of
// validate_network broken is an error naming the field.
Result<Network> network_from_json(std::string_view text);

// The rules every stored network keeps: a valid name and id, the bridge
// driver, an interface name the kernel accepts, subnets that do not overlap
// with gateways and lease ranges inside them, and known options.
Status validate_network(const Network& network);

// Names match [a-zA-Z0-9][a-zA-Z0-9_.-]* (they become file names), as Podman's.
Status check_network_name(const std::string& name);
Status check_interface_name(const std::string& name);

// What `network create` asks for, as the flags give it.
struct NetworkRequest {
  std::string name;  // empty: the first free "podmanN"
  std::string driver = "bridge";
  std::vector<std::string> subnets;    // --subnet, IPv4 or IPv6
  std::vector<std::string> gateways;   // --gateway, one per subnet in order
  std::vector<std::string> ip_ranges;  // --ip-range, one per subnet in order
  bool internal = false;
  bool ipv6 = false;
  bool disable_dns = false;
  std::vector<std::string> labels;   // KEY[=VALUE]
  std::vector<std::string> options;  // -o KEY=VALUE
  std::string interface_name;        // empty: the first free "podmanN"
};

// What a new network must not collide with.
struct NetworkContext {
  std::vector<Network> existing;         // the default network included
  std::vector<std::string> taken_names;  // names with a file that did not load
  std::vector<HostRoute> host_routes;
  // Host interface names ("eth0"); a new bridge is never given one of them.
  std::vector<std::string> host_interfaces;
  std::string created;  // the timestamp the new network gets
  RandomSource random = random_u64;
};

// The network `network create` writes: the request validated, the name,
// interface, id and subnets chosen where not given. Errors name the flag
// and, for a subnet in use, the network or host route that has it.
Result<Network> plan_network(const NetworkRequest& request, const NetworkContext& context);

}  // namespace burrow::net

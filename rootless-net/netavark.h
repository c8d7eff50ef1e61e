// The netavark backend for bridge networks: builds netavark's setup and
// teardown input, runs netavark (and through it aardvark-dns) and reads back
// what it configured. Runs in the CLI process; as root netavark works in the
// host's network namespace, rootless inside the user's rootless network
// namespace (see rootless_netns.h), which it then treats as its host.
//
// netavark 1.4's interface, from its source and Podman 4.3's use of it:
//   netavark --config=DIR --rootless=BOOL --aardvark-binary=PATH setup NETNS < options.json
// prints one status block per network on stdout; teardown takes the same
// input and prints nothing. A failure prints {"error": "..."} on stdout and
// exits non-zero (1, or the code netavark chose). netavark 1.4 has no IPAM:
// the caller picks each container address (static_ips, one per subnet of
// the network, in the network's subnet order) and must pass the same ones to
// teardown, which removes the port forwarding rules by address.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "rootless-net/port_spec.h"

namespace burrow::net {

struct NetavarkEnv {
  std::string netavark;  // the binary
  std::string aardvark;  // aardvark-dns; "" turns container name resolution off
  // netavark's state directory (--config): aardvark-dns keeps its per-network
  // name tables and pid file in CONFIG_DIR/aardvark-dns. One per user and
  // run root: each directory gets an aardvark-dns of its own.
  std::string config_dir;
  bool rootless = false;
  // The network namespace netavark treats as the host: bridges, firewall
  // rules and aardvark-dns live there. "" is the caller's own namespace (root);
  // rootless callers pass the rootless network namespace's file.
  std::string host_netns;
};

// The helper directories Podman searches (containers.conf helper_binaries_dir).
std::vector<std::string> default_helper_dirs();

// netavark and aardvark-dns from the first helper directory that has them;
// nullopt without netavark. A missing aardvark-dns leaves `aardvark` empty.
std::optional<NetavarkEnv> find_netavark(const std::string& config_dir, bool rootless);
std::optional<NetavarkEnv> find_netavark(const std::string& config_dir, bool rootless,
                                         const std::vector<std::string>& helper_dirs);

// One network the container joins.
struct NetavarkAttach {
  std::string network;                  // its name
  nlohmann::json definition;            // the network's JSON, as stored in the networks directory
  std::string interface_name;           // in the container: eth0, eth1, ...
  std::vector<std::string> static_ips;  // one per subnet of the network
  std::vector<std::string> aliases;     // extra DNS names (dns_enabled networks)
  std::string static_mac;               // "" lets the kernel choose
};

struct NetavarkRequest {
  std::string container_id;
  std::string container_name;  // its DNS name on dns_enabled networks
  std::vector<NetavarkAttach> networks;
  std::vector<PortMapping> ports;  // DNAT'ed by netavark to the first network's address
  std::vector<std::string>
      dns_servers;  // --dns: aardvark-dns forwards the container's queries there
};

// What netavark configured in the container for one network.
struct NetworkStatus {
  std::string network;
  std::string interface;
  std::string mac;
  std::vector<std::string> addresses;  // CIDR: "10.88.0.2/16"
  std::vector<std::string> gateways;
  std::vector<std::string> dns_server_ips;      // aardvark-dns on dns_enabled networks
  std::vector<std::string> dns_search_domains;  // "dns.podman" on dns_enabled networks
};

// Refuses what netavark 1.4 would reject late or crash on (it indexes
// static_ips by subnet without a bounds check): a missing id or name, a
// definition whose name differs from the network's, a duplicated network or
// interface, too few addresses, a bad port.
Status check_netavark_request(const NetavarkRequest& request);

// netavark's options JSON. Consecutive ports (8000-8010:80-90) become one
// range mapping, as Podman sends them.
nlohmann::json netavark_request_json(const NetavarkRequest& request);

// netavark setup's stdout; one status per network, sorted by network name.
Result<std::vector<NetworkStatus>> parse_netavark_status(std::string_view text);

// How a failed netavark run reads: netavark's own error text (the "error"
// of its JSON on stdout, else its stderr) and what to do about it.
struct NetavarkFailure {
  std::string action;  // "setup" or "teardown"
  int exit_code = 0;   // 128+signal when killed
  std::string stdout_text;
  std::string stderr_text;
  bool iptables_found = true;  // netavark 1.4 reports a missing iptables as a bare ENOENT
  bool rootless = false;
};
Error netavark_error(const NetavarkFailure& failure);

// Runs `netavark setup` on the container's network namespace file and
// returns its status, in the order of request.networks.
Result<std::vector<NetworkStatus>> netavark_setup(const NetavarkEnv& env,
                                                  const std::string& netns_path,
                                                  const NetavarkRequest& request);

// Runs `netavark teardown` with the request setup had (same addresses). The
// bridge goes with its last container, and aardvark-dns with its last name.
Status netavark_teardown(const NetavarkEnv& env, const std::string& netns_path,
                         const NetavarkRequest& request);

}  // namespace burrow::net

// slirp4netns as a container's uplink: a user-mode TCP/IP stack behind a
// tap device in the namespace. Published ports are added through its API
// socket; the host's loopback is reachable at the gateway address only
// with allow_host_loopback=true.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "rootless-net/helper_process.h"
#include "rootless-net/port_spec.h"

namespace burrow::net {

std::optional<std::string> find_slirp4netns();

// slirp4netns:OPTIONS, as Podman accepts them.
struct SlirpOptions {
  bool allow_host_loopback = false;
  bool enable_ipv6 = false;
  int mtu = 65520;
  std::string cidr = "10.0.2.0/24";
  std::string outbound_addr, outbound_addr6;
};

Result<SlirpOptions> parse_slirp_options(const std::vector<std::string>& options);

// slirp4netns's fixed hosts in its network: the container is .100, the
// gateway (the host) .2 and the DNS forwarder .3.
struct SlirpAddresses {
  std::string container, gateway, dns;
  int prefix = 24;
};

Result<SlirpAddresses> slirp_addresses(const SlirpOptions& options);

// The API socket's name in the work directory: socket paths are limited to
// 107 bytes, which a run directory can exceed, so it is always reached
// relative to the directory.
inline constexpr const char* kSlirpApiSocket = "slirp4netns.sock";

struct SlirpPlan {
  std::string slirp4netns;  // from find_slirp4netns()
  std::string work_dir, netns_path, log_file;
  SlirpOptions options;
  std::vector<PortMapping> ports;
};

std::vector<std::string> slirp_arguments(const SlirpPlan& plan, int ready_fd);

// Returns once slirp4netns has configured the namespace and forwards every
// published port; on failure nothing of it is left running.
Result<HelperProcess> start_slirp4netns(const SlirpPlan& plan);

// One request to the API socket of the slirp4netns started in work_dir:
// its reply ("return" unwrapped), or an Error carrying slirp4netns's own.
Result<nlohmann::json> slirp_api_call(const std::string& work_dir, const nlohmann::json& request);

}  // namespace burrow::net

// run/create's network flags: --network and what goes with it (-p, -P,
// --network-alias, --ip, --mac-address) and the /etc/hosts and
// /etc/resolv.conf flags.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/container_options.h"

namespace burrow::cli {

struct NetworkFlags {
  std::vector<std::string> networks, publish, aliases, ips, add_hosts;
  std::vector<std::string> dns, dns_search, dns_options;
  std::optional<std::string> mac;
  bool publish_all = false, no_hosts = false;
};

void add_network_flags(CLI::App& cmd, NetworkFlags& flags);

// Fills options.network, ports and the etc-file options. The default
// network depends on whether the engine runs rootless.
Status apply_network_flags(const NetworkFlags& flags, bool rootless,
                           engine::CreateOptions& options);

}  // namespace burrow::cli

// pasta as a container's uplink: it joins the namespace file, copies the
// host's addresses and routes into it, forwards published ports from the
// host, answers DNS at kDnsForwardAddress and maps the gateway address to
// the host's loopback (so host.containers.internal reaches 127.0.0.1).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "rootless-net/helper_process.h"
#include "rootless-net/port_spec.h"

namespace burrow::net {

// Queries sent here are answered with the host's resolver (Podman's choice).
inline constexpr const char* kPastaDnsAddress = "169.254.1.1";

std::optional<std::string> find_pasta();

// The user's pasta:OPTIONS, split at commas: options burrow sets itself
// (the namespace, the pid file, daemon mode) are refused.
Status check_pasta_options(const std::vector<std::string>& options);

// Whether the options switch off pasta's gateway-to-host mapping.
bool pasta_maps_gateway(const std::vector<std::string>& options);

struct PastaPlan {
  std::string pasta;  // from find_pasta()
  std::string work_dir, netns_path, pid_file, log_file;
  std::vector<std::string> options;  // the user's
  std::vector<PortMapping> ports;
};

std::vector<std::string> pasta_arguments(const PastaPlan& plan);

// pasta configures the namespace, then forks into the background and its
// first process exits: 0 means the network is up. Starting and waiting are
// apart so the caller can prepare the container meanwhile.
struct PastaLaunch {
  PastaPlan plan;
  pid_t launcher = -1;
};

Result<PastaLaunch> start_pasta(const PastaPlan& plan);
Result<HelperProcess> wait_for_pasta(PastaLaunch& launch);

}  // namespace burrow::net

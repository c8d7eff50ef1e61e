// Published ports: -p/--publish parsed into one mapping per port, host
// ports chosen for those left open, and conflicts found before a container
// starts.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.h"

namespace burrow::net {

// host_ip:host_port on the host forwards to container_port in the container.
struct PortMapping {
  std::string host_ip;  // "" means all addresses
  uint16_t host_port = 0;
  uint16_t container_port = 0;
  std::string protocol = "tcp";  // tcp, udp, sctp
};

// The JSON form a mapping is stored in (container options, network.json).
nlohmann::json port_mapping_json(const PortMapping& port);
PortMapping port_mapping_from(const nlohmann::json& j);

// "-p [[IP:][HOSTPORT]:]CONTAINERPORT[/PROTO]": ports may be ranges
// (8000-8010:80-90), IPv6 host addresses are bracketed ([::1]:8080:80), and a
// missing host port is left 0 for assign_host_ports. One mapping per port.
Result<std::vector<PortMapping>> parse_publish(const std::string& spec);

// "80/tcp", "53/udp", "8080" (an image's ExposedPorts key) for -P: each
// gets a host port chosen by assign_host_ports.
Result<PortMapping> parse_exposed_port(const std::string& key);

// Fills every host_port of 0 with a free port of the host (bound and
// released here, so it is free when this returns). Duplicated host ports
// among the mappings are an error.
Status assign_host_ports(std::vector<PortMapping>& ports);

// Binds each mapping's host address and port for a moment: a port some
// process already uses is an error naming it, before anything starts.
Status check_ports_free(const std::vector<PortMapping>& ports);

}  // namespace burrow::net

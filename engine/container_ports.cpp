#include "engine/container_ports.h"

#include <charconv>

#include "base/strings.h"

namespace burrow::engine {
namespace {

std::string host_address(const PortMapping& mapping) {
  std::string ip = mapping.host_ip.empty() ? "0.0.0.0" : mapping.host_ip;
  // An IPv6 address needs brackets before the port.
  if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";
  return ip + ":" + std::to_string(mapping.host_port);
}

}  // namespace

Result<PortQuery> parse_port_query(const std::string& text) {
  PortQuery query;
  auto slash = text.find('/');
  std::string number = text.substr(0, slash);
  if (slash != std::string::npos) query.protocol = text.substr(slash + 1);
  unsigned value = 0;
  auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  bool known = query.protocol == "tcp" || query.protocol == "udp" || query.protocol == "sctp";
  if (number.empty() || error != std::errc() || end != number.data() + number.size() ||
      value == 0 || value > 65535 || !known)
    return base::failf(EINVAL, "invalid port \"{}\": use PORT or PORT/PROTOCOL (tcp, udp or sctp)",
                       text);
  query.port = static_cast<uint16_t>(value);
  return query;
}

Result<std::vector<std::string>> port_lines(const std::vector<PortMapping>& ports,
                                            const std::optional<PortQuery>& query) {
  std::vector<std::string> lines;
  for (const auto& mapping : ports) {
    if (!query) {
      lines.push_back(fmt::format("{}/{} -> {}", mapping.container_port, mapping.protocol,
                                  host_address(mapping)));
    } else if (mapping.container_port == query->port && mapping.protocol == query->protocol) {
      lines.push_back(host_address(mapping));
    }
  }
  if (query && lines.empty())
    return base::failf(ENOENT, "failed to find published port \"{}/{}\"", query->port,
                       query->protocol);
  return lines;
}

}  // namespace burrow::engine

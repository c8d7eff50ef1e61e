#include "rootless-net/host_uplink.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>

#include <cstdlib>

#include "base/file_util.h"
#include "base/strings.h"

namespace burrow::net {
namespace {

// /proc/net/route holds addresses as host-order hex of the network-order
// bytes, which is what inet_ntop wants back in an in_addr.
std::string dotted_from_route_hex(const std::string& hex) {
  in_addr addr{};
  addr.s_addr = static_cast<uint32_t>(std::strtoul(hex.c_str(), nullptr, 16));
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &addr, text, sizeof text);
  return text;
}

// The first IPv4 address of `interface`, or of any non-loopback interface
// when `interface` is empty.
std::string ipv4_address(const std::string& interface) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return "";
  std::string found;
  for (ifaddrs* entry = list; entry && found.empty(); entry = entry->ifa_next) {
    if (!entry->ifa_addr || entry->ifa_addr->sa_family != AF_INET) continue;
    if (interface.empty() ? (entry->ifa_flags & IFF_LOOPBACK) : interface != entry->ifa_name)
      continue;
    char text[INET_ADDRSTRLEN] = {};
    auto* sin = reinterpret_cast<sockaddr_in*>(entry->ifa_addr);
    ::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
    found = text;
  }
  ::freeifaddrs(list);
  return found;
}

}  // namespace

std::optional<HostUplink> default_route_in(const std::string& proc_net_route) {
  constexpr unsigned long kRouteUp = 0x0001;
  for (const auto& line : base::split(proc_net_route, '\n')) {
    // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
    auto fields = base::split_whitespace(line);
    if (fields.size() < 8 || fields[1] != "00000000" || fields[7] != "00000000") continue;
    if (!(std::strtoul(fields[3].c_str(), nullptr, 16) & kRouteUp)) continue;
    HostUplink uplink;
    uplink.interface = fields[0];
    if (fields[2] != "00000000") uplink.gateway = dotted_from_route_hex(fields[2]);
    return uplink;
  }
  return std::nullopt;
}

std::optional<HostUplink> host_uplink() {
  auto table = base::read_file_limited("/proc/net/route", 1 << 20);
  if (!table) return std::nullopt;
  auto uplink = default_route_in(*table);
  if (uplink) uplink->address = ipv4_address(uplink->interface);
  return uplink;
}

std::string first_host_address() { return ipv4_address(""); }

}  // namespace burrow::net

// IPv4 and IPv6 addresses and CIDR subnets for bridge networks: parsing and
// the canonical text form, containment and overlap, the gateway, the next
// free subnet for `network create`, and the next free address in a subnet.
// Pure functions except host_routes(), which reads /proc.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace burrow::net {

// An address in network byte order; IPv4 uses the first 4 bytes.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};

  int bits() const { return v6 ? 128 : 32; }
  auto operator<=>(const IpAddress&) const = default;
};

// "10.88.0.1", "fd00::1". Leading zeros in IPv4 octets are refused (they
// read as octal elsewhere), as are zones ("fe80::1%eth0").
Result<IpAddress> parse_ip(std::string_view text);
// The dotted quad, or RFC 5952's shortest IPv6 form.
std::string format_ip(const IpAddress& address);

// The address `offset` positions after `address` (wrapping within its family).
IpAddress ip_add(const IpAddress& address, uint64_t offset);

struct Subnet {
  IpAddress address;  // the network address: host bits are zero
  int prefix = 0;

  bool v6() const { return address.v6; }
  bool contains(const IpAddress& ip) const;
  // Whether every address of `other` is in this subnet.
  bool contains(const Subnet& other) const;
  bool overlaps(const Subnet& other) const;
  // The first address after the network address: the gateway by convention.
  IpAddress first_host() const;
  // The highest address (the IPv4 broadcast address).
  IpAddress last_address() const;
  // "10.89.0.0/24", "fd00::/64".
  std::string to_string() const;

  bool operator==(const Subnet&) const = default;
};

// "10.89.0.0/24" or "fd00::/64". Host bits are cleared ("10.89.0.5/24" is
// 10.89.0.0/24), as Podman does; a missing or out-of-range prefix is an error.
Result<Subnet> parse_subnet(std::string_view text);

// The addresses containers may get: first..last, inclusive.
struct IpRange {
  IpAddress start_ip;
  IpAddress end_ip;
};

// The addresses of --ip-range SUBNET as Podman stores them: the range's
// first host up to its last address.
IpRange ip_range_of(const Subnet& range);

// A subnet the host routes to, and where the route comes from, so that an
// error can say why a subnet is taken.
struct HostRoute {
  Subnet subnet;
  std::string interface;
};

// The non-default routes of /proc/net/route and /proc/net/ipv6_route
// (passed in as text, for tests). Lines that do not parse are skipped.
std::vector<HostRoute> parse_proc_route(std::string_view text);
std::vector<HostRoute> parse_proc_ipv6_route(std::string_view text);
// Both tables of this host (empty where /proc does not have them).
std::vector<HostRoute> host_routes();

// Where `network create` takes IPv4 subnets from when none is given:
// Podman's pools, 10.89.0.0/24 upward to 10.255.255.0/24.
inline constexpr const char* kFirstFreeSubnet = "10.89.0.0/24";

// The first /24 of the pool that overlaps none of `used`; an error when the
// pool is exhausted.
Result<Subnet> next_free_ipv4_subnet(const std::vector<Subnet>& used);

// 64 random bits, replaceable in tests.
using RandomSource = std::function<uint64_t()>;
uint64_t random_u64();

// A random unique-local /64 (RFC 4193: fd + 40-bit global id + 16-bit
// subnet id) overlapping none of `used`.
Result<Subnet> random_ipv6_subnet(const std::vector<Subnet>& used,
                                  const RandomSource& random = random_u64);

// The lowest address of `range` (else of `subnet`) that is not in `used`,
// skipping the network address and, for IPv4, the broadcast address. The
// caller lists the gateway in `used`. ENOSPC when none is left.
Result<IpAddress> next_free_address(const Subnet& subnet, const std::vector<IpAddress>& used,
                                    const std::optional<IpRange>& range = std::nullopt);

}  // namespace burrow::net

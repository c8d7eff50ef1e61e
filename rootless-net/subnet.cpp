#include "rootless-net/subnet.h"

#include <arpa/inet.h>
#include <sys/random.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "base/file_util.h"
#include "base/strings.h"

namespace burrow::net {
namespace {

// Keeps the first `prefix` bits of `address` and clears the rest.
IpAddress masked(const IpAddress& address, int prefix) {
  IpAddress out = address;
  for (int byte = 0; byte < 16; ++byte) {
    int keep = std::clamp(prefix - byte * 8, 0, 8);
    out.bytes[byte] &= static_cast<uint8_t>(0xff00 >> keep);
  }
  return out;
}

// Sets every bit after the first `prefix`, within the family's width.
IpAddress filled(const IpAddress& address, int prefix) {
  IpAddress out = address;
  for (int byte = 0; byte < address.bits() / 8; ++byte) {
    int keep = std::clamp(prefix - byte * 8, 0, 8);
    out.bytes[byte] |= static_cast<uint8_t>(0xff >> keep);
  }
  return out;
}

Result<int> parse_prefix(std::string_view text, int max) {
  int prefix = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), prefix);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || prefix < 0 ||
      prefix > max || (text.size() > 1 && text.front() == '0'))
    return base::fail(EINVAL, "bad prefix length");
  return prefix;
}

bool is_hex_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return std::isxdigit(c) != 0; });
}

uint32_t hex_u32(std::string_view text) {
  uint32_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return value;
}

}  // namespace

Result<IpAddress> parse_ip(std::string_view text) {
  std::string copy(text);
  IpAddress address;
  if (::inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) return address;
  address.v6 = true;
  if (::inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) return address;
  return base::failf(EINVAL, "invalid IP address \"{}\"", text);
}

std::string format_ip(const IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(address.v6 ? AF_INET6 : AF_INET, address.bytes.data(), text, sizeof text);
  return text;
}

IpAddress ip_add(const IpAddress& address, uint64_t offset) {
  IpAddress out = address;
  unsigned carry = 0;
  for (int byte = address.bits() / 8 - 1; byte >= 0; --byte) {
    unsigned sum = out.bytes[byte] + static_cast<unsigned>(offset & 0xff) + carry;
    out.bytes[byte] = static_cast<uint8_t>(sum);
    carry = sum >> 8;
    offset >>= 8;
  }
  return out;
}

bool Subnet::contains(const IpAddress& ip) const {
  return ip.v6 == address.v6 && masked(ip, prefix) == address;
}

bool Subnet::contains(const Subnet& other) const {
  return other.prefix >= prefix && contains(other.address);
}

bool Subnet::overlaps(const Subnet& other) const {
  return contains(other) || other.contains(*this);
}

IpAddress Subnet::first_host() const { return ip_add(address, 1); }

IpAddress Subnet::last_address() const { return filled(address, prefix); }

std::string Subnet::to_string() const { return format_ip(address) + "/" + std::to_string(prefix); }

Result<Subnet> parse_subnet(std::string_view text) {
  auto bad = [&] { return base::failf(EINVAL, "invalid CIDR address: {}", text); };
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad();
  auto address = parse_ip(text.substr(0, slash));
  if (!address) return bad();
  auto prefix = parse_prefix(text.substr(slash + 1), address->bits());
  if (!prefix) return bad();
  return Subnet{masked(*address, *prefix), *prefix};
}

IpRange ip_range_of(const Subnet& range) { return {range.first_host(), range.last_address()}; }

// Columns: Iface Destination Gateway Flags RefCnt Use Metric Mask ...; the
// addresses are little-endian hex words as the kernel stores them.
std::vector<HostRoute> parse_proc_route(std::string_view text) {
  std::vector<HostRoute> routes;
  for (const auto& line : base::split(text, '\n')) {
    auto fields = base::split_whitespace(line);
    if (fields.size() < 8 || fields[1].size() != 8 || !is_hex_digits(fields[1])) continue;
    uint32_t destination = hex_u32(fields[1]), mask = hex_u32(fields[7]);
    if (mask == 0) continue;  // the default route covers everything
    IpAddress address;
    for (int i = 0; i < 4; ++i) address.bytes[i] = static_cast<uint8_t>(destination >> (8 * i));
    int prefix = __builtin_popcount(mask);
    routes.push_back({Subnet{masked(address, prefix), prefix}, fields[0]});
  }
  return routes;
}

// Columns: destination (32 hex digits) prefix-length (hex) source
// source-length next-hop metric refcnt use flags interface.
std::vector<HostRoute> parse_proc_ipv6_route(std::string_view text) {
  std::vector<HostRoute> routes;
  for (const auto& line : base::split(text, '\n')) {
    auto fields = base::split_whitespace(line);
    if (fields.size() < 10 || fields[0].size() != 32 || !is_hex_digits(fields[0])) continue;
    int prefix = static_cast<int>(hex_u32(fields[1]));
    if (prefix == 0 || prefix > 128) continue;
    // Host routes of the node's own and multicast addresses are not subnets in use.
    if (fields[9] == "lo" || fields[0].starts_with("ff")) continue;
    IpAddress address;
    address.v6 = true;
    for (int i = 0; i < 16; ++i)
      address.bytes[i] =
          static_cast<uint8_t>(hex_u32(std::string_view(fields[0]).substr(i * 2, 2)));
    routes.push_back({Subnet{masked(address, prefix), prefix}, fields[9]});
  }
  return routes;
}

std::vector<HostRoute> host_routes() {
  std::vector<HostRoute> routes;
  if (auto v4 = base::read_file_limited("/proc/net/route", 1 << 20)) routes = parse_proc_route(*v4);
  if (auto v6 = base::read_file_limited("/proc/net/ipv6_route", 1 << 20))
    for (auto& route : parse_proc_ipv6_route(*v6)) routes.push_back(std::move(route));
  return routes;
}

Result<Subnet> next_free_ipv4_subnet(const std::vector<Subnet>& used) {
  Subnet candidate = *parse_subnet(kFirstFreeSubnet);
  // 10.89.0.0/24 .. 10.255.255.0/24, Podman's default subnet pools.
  for (uint32_t n = 0; n < (256 - 89) * 256; ++n) {
    auto taken = std::find_if(used.begin(), used.end(),
                              [&](const Subnet& s) { return s.overlaps(candidate); });
    if (taken == used.end()) return candidate;
    candidate.address = ip_add(candidate.address, 256);
  }
  return base::fail(ENOSPC,
                    "could not find a free subnet in 10.89.0.0-10.255.255.0: name one with "
                    "--subnet, or remove unused networks (network prune)");
}

uint64_t random_u64() {
  uint64_t value = 0;
  while (::getrandom(&value, sizeof value, 0) != sizeof value) {
  }
  return value;
}

Result<Subnet> random_ipv6_subnet(const std::vector<Subnet>& used, const RandomSource& random) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    uint64_t bits = random();
    Subnet candidate{IpAddress{true, {}}, 64};
    candidate.address.bytes[0] = 0xfd;
    for (int i = 1; i < 8; ++i) candidate.address.bytes[i] = static_cast<uint8_t>(bits >> (8 * i));
    bool taken = std::any_of(used.begin(), used.end(),
                             [&](const Subnet& s) { return s.overlaps(candidate); });
    if (!taken) return candidate;
  }
  return base::fail(ENOSPC, "could not find a free IPv6 subnet: name one with --subnet");
}

Result<IpAddress> next_free_address(const Subnet& subnet, const std::vector<IpAddress>& used,
                                    const std::optional<IpRange>& range) {
  std::set<IpAddress> taken(used.begin(), used.end());
  taken.insert(subnet.address);
  if (!subnet.v6()) taken.insert(subnet.last_address());
  IpAddress next = range ? range->start_ip : subnet.address;
  IpAddress last = range ? range->end_ip : subnet.last_address();
  // Every taken address is passed at most once, so this ends after |used| + 2 steps.
  while (next <= last && subnet.contains(next)) {
    if (!taken.count(next)) return next;
    if (next == last) break;
    next = ip_add(next, 1);
  }
  return base::failf(ENOSPC, "no free IP address left in subnet {}", subnet.to_string());
}

}  // namespace burrow::net

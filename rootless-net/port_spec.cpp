#include "rootless-net/port_spec.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstring>
#include <set>
#include <thread>
#include <tuple>

#include "base/strings.h"
#include "base/unique_fd.h"
#include "rootless-net/subnet.h"

namespace burrow::net {
namespace {

// How long (in 10 ms steps) a published port may stay in use before the
// start fails: long enough for an exiting helper.
constexpr int kPortRetries = 100;

struct PortRange {
  uint16_t first = 0, count = 0;  // count 0: not given
};

Result<uint16_t> parse_port_number(std::string_view text, const std::string& spec) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535)
    return base::failf(EINVAL, "invalid port \"{}\" in \"{}\": ports are numbers from 1 to 65535",
                       text, spec);
  return static_cast<uint16_t>(value);
}

Result<PortRange> parse_range(std::string_view text, const std::string& spec) {
  if (text.empty()) return PortRange{};
  size_t dash = text.find('-');
  BURROW_TRY(uint16_t first, parse_port_number(text.substr(0, dash), spec));
  uint16_t last = first;
  if (dash != std::string_view::npos) {
    BURROW_TRY(last, parse_port_number(text.substr(dash + 1), spec));
  }
  if (last < first || (first == 0 && dash != std::string_view::npos))
    return base::failf(EINVAL, "invalid port range \"{}\" in \"{}\"", text, spec);
  return PortRange{first, static_cast<uint16_t>(last - first + 1)};
}

Status check_ip(const std::string& ip, const std::string& spec) {
  if (parse_ip(ip)) return base::ok();
  return base::failf(EINVAL, "invalid host address \"{}\" in -p {}: give an IPv4 or IPv6 address",
                     ip, spec);
}

// Splits "[IP:][HOST:]CONTAINER" (IPv6 addresses bracketed) into its parts.
Result<std::tuple<std::string, std::string, std::string>> split_publish(const std::string& body,
                                                                        const std::string& spec) {
  std::string ip, rest = body;
  if (!body.empty() && body.front() == '[') {
    size_t close = body.find("]:");
    if (close == std::string::npos)
      return base::failf(EINVAL, "invalid -p {}: write IPv6 addresses as [ADDRESS]:HOST:CONTAINER",
                         spec);
    ip = body.substr(1, close - 1);
    rest = body.substr(close + 2);
    auto parts = base::split(rest, ':');
    if (parts.size() != 2)
      return base::failf(EINVAL, "invalid -p {}: use [ADDRESS]:HOSTPORT:CONTAINERPORT", spec);
    return std::tuple{ip, parts[0], parts[1]};
  }
  auto parts = base::split(rest, ':');
  if (parts.size() == 1) return std::tuple{std::string(), std::string(), parts[0]};
  if (parts.size() == 2) return std::tuple{std::string(), parts[0], parts[1]};
  if (parts.size() == 3) return std::tuple{parts[0], parts[1], parts[2]};
  return base::failf(EINVAL,
                     "invalid -p {}: use [[IP:][HOSTPORT]:]CONTAINERPORT[/PROTOCOL] (IPv6 "
                     "addresses in brackets)",
                     spec);
}

Result<std::string> split_protocol(std::string& body, const std::string& spec) {
  size_t slash = body.rfind('/');
  if (slash == std::string::npos) return std::string("tcp");
  std::string protocol = base::ascii_lower(body.substr(slash + 1));
  body.resize(slash);
  if (protocol != "tcp" && protocol != "udp" && protocol != "sctp")
    return base::failf(EINVAL, "invalid protocol \"{}\" in -p {}: use tcp, udp or sctp", protocol,
                       spec);
  return protocol;
}

int family_of(const std::string& ip) {
  return ip.find(':') == std::string::npos ? AF_INET : AF_INET6;
}

// A socket bound to the mapping's host address and port (0: any port).
Result<base::UniqueFd> bind_host_port(const PortMapping& port, uint16_t number) {
  int family = family_of(port.host_ip);
  int type = port.protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM;
  base::UniqueFd sock(::socket(family, type | SOCK_CLOEXEC, 0));
  if (!sock) return base::fail_errno("creating a socket to check port {}", number);
  int one = 1;
  // A listener would set it too: ports left in TIME_WAIT are free for it.
  ::setsockopt(sock.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage storage{};
  socklen_t length;
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(number);
    if (!port.host_ip.empty()) ::inet_pton(AF_INET, port.host_ip.c_str(), &sin->sin_addr);
    length = sizeof *sin;
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(number);
    ::inet_pton(AF_INET6, port.host_ip.c_str(), &sin6->sin6_addr);
    length = sizeof *sin6;
  }
  if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    std::string where = (port.host_ip.empty() ? "0.0.0.0" : port.host_ip) + ":" +
                        std::to_string(number) + "/" + port.protocol;
    if (errno == EADDRINUSE)
      return base::failf(EADDRINUSE,
                         "cannot publish {}: the port is already in use on the host; choose "
                         "another host port with -p",
                         where);
    if (errno == EACCES)
      return base::failf(EACCES,
                         "cannot publish {}: ports below net.ipv4.ip_unprivileged_port_start "
                         "need root; choose a higher host port",
                         where);
    return base::fail_errno("cannot publish {}", where);
  }
  return sock;
}

}  // namespace

nlohmann::json port_mapping_json(const PortMapping& port) {
  return {{"host_ip", port.host_ip},
          {"host_port", port.host_port},
          {"container_port", port.container_port},
          {"protocol", port.protocol}};
}

PortMapping port_mapping_from(const nlohmann::json& j) {
  return {j.value("host_ip", ""), j.value("host_port", uint16_t{0}),
          j.value("container_port", uint16_t{0}), j.value("protocol", "tcp")};
}

Result<std::vector<PortMapping>> parse_publish(const std::string& spec) {
  std::string body = spec;
  BURROW_TRY(std::string protocol, split_protocol(body, spec));
  BURROW_TRY(auto parts, split_publish(body, spec));
  auto& [ip, host_text, container_text] = parts;
  if (!ip.empty()) BURROW_CHECK(check_ip(ip, spec));
  if (ip == "0.0.0.0") ip.clear();
  BURROW_TRY(PortRange host, parse_range(host_text, spec));
  BURROW_TRY(PortRange container, parse_range(container_text, spec));
  if (container.count == 0 || container.first == 0)
    return base::failf(EINVAL, "invalid -p {}: the container port is missing", spec);
  if (host.count != 0 && host.first != 0 && host.count != container.count)
    return base::failf(EINVAL, "invalid -p {}: the host and container port ranges differ in length",
                       spec);
  std::vector<PortMapping> mappings;
  for (uint16_t i = 0; i < container.count; ++i) {
    PortMapping mapping;
    mapping.host_ip = ip;
    mapping.protocol = protocol;
    mapping.container_port = static_cast<uint16_t>(container.first + i);
    mapping.host_port = host.first == 0 ? 0 : static_cast<uint16_t>(host.first + i);
    mappings.push_back(std::move(mapping));
  }
  return mappings;
}

Result<PortMapping> parse_exposed_port(const std::string& key) {
  BURROW_TRY(auto mappings, parse_publish(key));
  if (mappings.size() != 1 || mappings.front().host_port != 0 || !mappings.front().host_ip.empty())
    return base::failf(EINVAL, "the image exposes \"{}\": expected PORT or PORT/PROTOCOL", key);
  return mappings.front();
}

Status assign_host_ports(std::vector<PortMapping>& ports) {
  std::set<std::tuple<std::string, uint16_t, std::string>> taken;
  for (auto& port : ports) {
    if (port.host_port == 0) {
      BURROW_TRY(base::UniqueFd sock, bind_host_port(port, 0));
      sockaddr_storage storage{};
      socklen_t length = sizeof storage;
      if (::getsockname(sock.get(), reinterpret_cast<sockaddr*>(&storage), &length) != 0)
        return base::fail_errno("reading the port chosen for {}", port.container_port);
      port.host_port = storage.ss_family == AF_INET
                           ? ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port)
                           : ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
    }
    if (!taken.insert({port.host_ip, port.host_port, port.protocol}).second)
      return base::failf(EINVAL, "host port {}/{} is published twice: give each -p its own port",
                         port.host_port, port.protocol);
  }
  return base::ok();
}

Status check_ports_free(const std::vector<PortMapping>& ports) {
  for (const auto& port : ports) {
    // The helper of the container's previous run (a restart) or of one just
    // removed may still be exiting: give it a moment to let go.
    auto bound = bind_host_port(port, port.host_port);
    for (int attempt = 0; !bound && bound.error().code == EADDRINUSE && attempt < kPortRetries;
         ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      bound = bind_host_port(port, port.host_port);
    }
    if (!bound) return tl::unexpected(bound.error());
  }
  return base::ok();
}

}  // namespace burrow::net

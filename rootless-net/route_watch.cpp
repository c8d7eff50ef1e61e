#include "rootless-net/route_watch.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "base/file_util.h"
#include "base/strings.h"

namespace burrow::net {
namespace {

// Flags of /proc/net/ipv6_route: a "default" that only rejects (the
// kernel's unreachable route on lo) is no route at all.
constexpr unsigned long kRouteUp = 0x0001;
constexpr unsigned long kRouteReject = 0x0200;

bool is_default_route(const nlmsghdr* header) {
  if (header->nlmsg_type != RTM_NEWROUTE) return false;
  if (header->nlmsg_len < NLMSG_LENGTH(sizeof(rtmsg))) return false;
  const auto* route = static_cast<const rtmsg*>(NLMSG_DATA(header));
  return route->rtm_dst_len == 0 && route->rtm_table == RT_TABLE_MAIN &&
         route->rtm_type == RTN_UNICAST;
}

}  // namespace

bool ipv6_table_has_default(const std::string& proc_net_ipv6_route) {
  static const std::string kAnyAddress(32, '0');
  for (const auto& line : base::split(proc_net_ipv6_route, '\n')) {
    // dest dest_len src src_len next_hop metric refcnt use flags iface
    auto fields = base::split_whitespace(line);
    if (fields.size() < 10 || fields[0] != kAnyAddress || fields[1] != "00") continue;
    unsigned long flags = std::strtoul(fields[8].c_str(), nullptr, 16);
    if ((flags & kRouteUp) && !(flags & kRouteReject) && fields[9] != "lo") return true;
  }
  return false;
}

DefaultRoutes host_default_routes(bool ipv4_uplink) {
  DefaultRoutes routes;
  routes.ipv4 = ipv4_uplink;
  if (auto table = base::read_file_limited("/proc/net/ipv6_route", 1 << 20))
    routes.ipv6 = ipv6_table_has_default(*table);
  return routes;
}

void note_default_routes(const char* buffer, size_t size, DefaultRoutes& seen) {
  auto remaining = static_cast<int>(size);
  for (const auto* header = reinterpret_cast<const nlmsghdr*>(buffer); NLMSG_OK(header, remaining);
       header = NLMSG_NEXT(header, remaining)) {
    if (!is_default_route(header)) continue;
    const auto* route = static_cast<const rtmsg*>(NLMSG_DATA(header));
    if (route->rtm_family == AF_INET) seen.ipv4 = true;
    if (route->rtm_family == AF_INET6) seen.ipv6 = true;
  }
}

Status read_route_changes(int fd, DefaultRoutes& seen) {
  alignas(nlmsghdr) char buffer[16384];
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
      note_default_routes(buffer, static_cast<size_t>(n), seen);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return base::ok();
    // ENOBUFS: changes were dropped, so the routes can no longer be told
    // from the messages; the caller falls back to waiting for pasta.
    return base::fail_errno("reading the namespace's route changes");
  }
}

}  // namespace burrow::net

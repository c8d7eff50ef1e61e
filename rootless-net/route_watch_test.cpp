#include "rootless-net/route_watch.h"

#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <vector>

#include "rootless-net/host_uplink.h"

namespace burrow::net {
namespace {

// Appends one route message as the kernel sends them to RTMGRP_*_ROUTE.
void add_route(std::vector<char>& buffer, uint16_t type, uint8_t family, uint8_t dst_len,
               uint8_t table = RT_TABLE_MAIN, uint8_t route_type = RTN_UNICAST) {
  size_t offset = buffer.size();
  buffer.resize(offset + NLMSG_SPACE(sizeof(rtmsg)));
  auto* header = reinterpret_cast<nlmsghdr*>(buffer.data() + offset);
  header->nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
  header->nlmsg_type = type;
  auto* route = static_cast<rtmsg*>(NLMSG_DATA(header));
  route->rtm_family = family;
  route->rtm_dst_len = dst_len;
  route->rtm_table = table;
  route->rtm_type = route_type;
}

TEST(RouteWatch, NotesDefaultRoutesPerFamily) {
  std::vector<char> buffer;
  add_route(buffer, RTM_NEWROUTE, AF_INET, 0);
  DefaultRoutes seen;
  note_default_routes(buffer.data(), buffer.size(), seen);
  EXPECT_TRUE(seen.ipv4);
  EXPECT_FALSE(seen.ipv6);
  add_route(buffer, RTM_NEWROUTE, AF_INET6, 0);
  note_default_routes(buffer.data(), buffer.size(), seen);
  EXPECT_TRUE(seen.ipv6);
}

TEST(RouteWatch, IgnoresOtherRoutes) {
  std::vector<char> buffer;
  add_route(buffer, RTM_NEWROUTE, AF_INET, 24);                 // the address's prefix
  add_route(buffer, RTM_NEWROUTE, AF_INET, 0, RT_TABLE_LOCAL);  // not the main table
  add_route(buffer, RTM_NEWROUTE, AF_INET6, 0, RT_TABLE_MAIN, RTN_UNREACHABLE);
  add_route(buffer, RTM_DELROUTE, AF_INET, 0);  // removed, not added
  DefaultRoutes seen;
  note_default_routes(buffer.data(), buffer.size(), seen);
  EXPECT_FALSE(seen.any());
}

TEST(RouteWatch, StopsAtATruncatedMessage) {
  std::vector<char> buffer;
  add_route(buffer, RTM_NEWROUTE, AF_INET, 0);
  DefaultRoutes seen;
  note_default_routes(buffer.data(), buffer.size() - 4, seen);
  EXPECT_FALSE(seen.ipv4);
  note_default_routes(buffer.data(), 0, seen);
  EXPECT_FALSE(seen.ipv4);
}

TEST(RouteWatch, CoverNeedsEveryExpectedFamily) {
  DefaultRoutes both{true, true};
  DefaultRoutes v4{true, false};
  EXPECT_TRUE(both.cover(v4));
  EXPECT_FALSE(v4.cover(both));
  EXPECT_TRUE(v4.cover(DefaultRoutes{}));
  EXPECT_FALSE(DefaultRoutes{}.any());
}

TEST(RouteWatch, FindsTheIpv4DefaultRoute) {
  const char* table =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
      "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
  EXPECT_TRUE(default_route_in(table).has_value());
  EXPECT_EQ(default_route_in(table)->gateway, "192.0.2.1");
  const char* no_default =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
  EXPECT_FALSE(default_route_in(no_default).has_value());
  EXPECT_FALSE(default_route_in("").has_value());
}

TEST(RouteWatch, FindsTheIpv6DefaultRouteButNotTheRejectOne) {
  const std::string any(32, '0');
  std::string with_default = any + " 00 " + any + " 00 fd000000000000000000000000000001 00000400 " +
                             "00000001 00000000 00000003     eth0\n";
  EXPECT_TRUE(ipv6_table_has_default(with_default));
  // The kernel's own entry on lo: unreachable, flags RTF_REJECT|RTF_UP.
  std::string reject_only =
      any + " 00 " + any + " 00 " + any + " ffffffff 00000001 00000000 00200200       lo\n";
  EXPECT_FALSE(ipv6_table_has_default(reject_only));
  std::string prefix_only = "fd000000000000000000000000000000 40 " + any + " 00 " + any +
                            " 00000100 00000001 00000000 00000001     eth0\n";
  EXPECT_FALSE(ipv6_table_has_default(prefix_only));
}

}  // namespace
}  // namespace burrow::net

#include "rootless-net/subnet.h"

#include <gtest/gtest.h>

namespace burrow::net {
namespace {

Subnet subnet(const char* text) { return *parse_subnet(text); }
IpAddress ip(const char* text) { return *parse_ip(text); }

TEST(ParseIp, AcceptsBothFamiliesAndFormatsThemCanonically) {
  EXPECT_EQ(format_ip(ip("10.88.0.1")), "10.88.0.1");
  EXPECT_FALSE(ip("10.88.0.1").v6);
  EXPECT_EQ(format_ip(ip("FD00:0:0:0::0001")), "fd00::1");
  EXPECT_TRUE(ip("fd00::1").v6);
}

TEST(ParseIp, RefusesWhatIsNotAnAddress) {
  for (const char* bad : {"", "10.88.0", "10.88.0.256", "010.1.1.1", "fe80::1%eth0", "abc",
                          "10.88.0.1/24", " 10.88.0.1"})
    EXPECT_FALSE(parse_ip(bad)) << bad;
}

TEST(ParseSubnet, ClearsHostBitsAsPodmanDoes) {
  EXPECT_EQ(subnet("10.99.1.5/24").to_string(), "10.99.1.0/24");
  EXPECT_EQ(subnet("10.0.0.0/8").to_string(), "10.0.0.0/8");
  EXPECT_EQ(subnet("fd12:3456:789a:1::7/64").to_string(), "fd12:3456:789a:1::/64");
  EXPECT_EQ(subnet("10.1.2.3/32").to_string(), "10.1.2.3/32");
  EXPECT_EQ(subnet("10.1.2.3/0").to_string(), "0.0.0.0/0");
}

TEST(ParseSubnet, RefusesBadPrefixesAndAddresses) {
  for (const char* bad : {"10.99.0.0/33", "10.99.0.0", "abc", "10.99.0.0/", "10.99.0.0/-1",
                          "10.99.0.0/24x", "10.99.0.0/024", "fd00::/129", "/24"}) {
    auto parsed = parse_subnet(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().message, std::string("invalid CIDR address: ") + bad);
  }
}

TEST(Subnet, ContainsAddressesOfItsOwnFamilyOnly) {
  Subnet s = subnet("10.89.0.0/24");
  EXPECT_TRUE(s.contains(ip("10.89.0.0")));
  EXPECT_TRUE(s.contains(ip("10.89.0.255")));
  EXPECT_FALSE(s.contains(ip("10.89.1.0")));
  EXPECT_FALSE(s.contains(ip("::a59:1")));
  EXPECT_TRUE(subnet("fd00::/64").contains(ip("fd00::ffff")));
  EXPECT_FALSE(subnet("fd00::/64").contains(ip("fd00:0:0:1::1")));
}

TEST(Subnet, OverlapIsContainmentEitherWay) {
  EXPECT_TRUE(subnet("10.99.0.0/24").overlaps(subnet("10.99.0.0/25")));
  EXPECT_TRUE(subnet("10.99.0.128/25").overlaps(subnet("10.99.0.0/24")));
  EXPECT_TRUE(subnet("10.0.0.0/8").overlaps(subnet("10.200.3.0/24")));
  EXPECT_FALSE(subnet("10.99.0.0/25").overlaps(subnet("10.99.0.128/25")));
  EXPECT_FALSE(subnet("10.99.0.0/24").overlaps(subnet("fd00::/8")));
  EXPECT_TRUE(subnet("fd00::/8").overlaps(subnet("fd12::/64")));
  EXPECT_TRUE(subnet("10.0.0.0/8").contains(subnet("10.1.0.0/16")));
  EXPECT_FALSE(subnet("10.1.0.0/16").contains(subnet("10.0.0.0/8")));
}

TEST(Subnet, GatewayIsTheFirstHostAndLastAddressTheBroadcast) {
  EXPECT_EQ(format_ip(subnet("10.88.0.0/16").first_host()), "10.88.0.1");
  EXPECT_EQ(format_ip(subnet("10.88.0.0/16").last_address()), "10.88.255.255");
  EXPECT_EQ(format_ip(subnet("10.99.0.128/25").last_address()), "10.99.0.255");
  EXPECT_EQ(format_ip(subnet("fd00::/64").first_host()), "fd00::1");
  EXPECT_EQ(format_ip(subnet("fd00::/64").last_address()), "fd00::ffff:ffff:ffff:ffff");
}

TEST(IpAdd, CarriesAcrossBytes) {
  EXPECT_EQ(format_ip(ip_add(ip("10.89.0.255"), 1)), "10.89.1.0");
  EXPECT_EQ(format_ip(ip_add(ip("10.89.255.0"), 256)), "10.90.0.0");
  EXPECT_EQ(format_ip(ip_add(ip("fd00::ffff"), 1)), "fd00::1:0");
}

TEST(IpRangeOf, RunsFromTheFirstHostToTheLastAddressAsPodmanStoresIt) {
  IpRange range = ip_range_of(subnet("10.99.0.128/25"));
  EXPECT_EQ(format_ip(range.start_ip), "10.99.0.129");
  EXPECT_EQ(format_ip(range.end_ip), "10.99.0.255");
}

TEST(ProcRoute, ReadsNonDefaultRoutesWithTheirInterfaces) {
  const char* table =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
      "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
      "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
      "garbage line\n";
  auto routes = parse_proc_route(table);
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].subnet.to_string(), "192.0.2.0/24");
  EXPECT_EQ(routes[0].interface, "eth0");
  EXPECT_EQ(routes[1].subnet.to_string(), "172.17.0.0/16");
  EXPECT_EQ(routes[1].interface, "docker0");
}

TEST(ProcRoute, ReadsIpv6RoutesSkippingDefaultLoopbackAndMulticast) {
  const char* table =
      "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
      "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
      "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
      "fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n"
      "00000000000000000000000000000001 80 00000000000000000000000000000000 00 "
      "00000000000000000000000000000000 00000000 00000004 00000000 80200001       lo\n"
      "ff000000000000000000000000000000 08 00000000000000000000000000000000 00 "
      "00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0\n";
  auto routes = parse_proc_ipv6_route(table);
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0].subnet.to_string(), "fd00::/64");
  EXPECT_EQ(routes[0].interface, "eth0");
}

TEST(NextFreeIpv4Subnet, StartsAt1089AndSkipsWhatIsUsed) {
  EXPECT_EQ(next_free_ipv4_subnet({})->to_string(), "10.89.0.0/24");
  EXPECT_EQ(next_free_ipv4_subnet({subnet("10.88.0.0/16"), subnet("10.89.0.0/24")})->to_string(),
            "10.89.1.0/24");
  // A wide route takes every /24 inside it.
  EXPECT_EQ(next_free_ipv4_subnet({subnet("10.89.0.0/16")})->to_string(), "10.90.0.0/24");
  // A narrow one takes the /24 that holds it.
  EXPECT_EQ(next_free_ipv4_subnet({subnet("10.89.0.7/32")})->to_string(), "10.89.1.0/24");
}

TEST(NextFreeIpv4Subnet, FailsWhenThePoolIsExhausted) {
  auto none = next_free_ipv4_subnet({subnet("10.0.0.0/8")});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ENOSPC);
  EXPECT_NE(none.error().message.find("--subnet"), std::string::npos);
}

TEST(RandomIpv6Subnet, IsAUniqueLocal64) {
  auto s = random_ipv6_subnet({}, [] { return 0x1122334455667788ULL; });
  ASSERT_TRUE(s);
  EXPECT_EQ(s->prefix, 64);
  EXPECT_EQ(s->to_string(), "fd77:6655:4433:2211::/64");
}

TEST(RandomIpv6Subnet, DrawsAgainWhenTheFirstIsTaken) {
  uint64_t draws = 0;
  auto source = [&] { return ++draws == 1 ? 0 : 0xffffffffffffffffULL; };
  auto s = random_ipv6_subnet({subnet("fd00::/16")}, source);
  ASSERT_TRUE(s);
  EXPECT_EQ(draws, 2u);
  EXPECT_EQ(s->to_string(), "fdff:ffff:ffff:ffff::/64");
}

TEST(NextFreeAddress, SkipsNetworkGatewayAndUsed) {
  Subnet s = subnet("10.89.0.0/24");
  EXPECT_EQ(format_ip(*next_free_address(s, {ip("10.89.0.1")})), "10.89.0.2");
  EXPECT_EQ(format_ip(*next_free_address(s, {ip("10.89.0.1"), ip("10.89.0.2"), ip("10.89.0.4")})),
            "10.89.0.3");
}

TEST(NextFreeAddress, StaysInsideTheLeaseRange) {
  Subnet s = subnet("10.99.0.0/24");
  IpRange range = ip_range_of(subnet("10.99.0.128/25"));
  EXPECT_EQ(format_ip(*next_free_address(s, {ip("10.99.0.1")}, range)), "10.99.0.129");
}

TEST(NextFreeAddress, NeverHandsOutTheBroadcastAndReportsAFullSubnet) {
  Subnet s = subnet("10.99.0.0/30");  // .0 network, .1 gateway, .2 host, .3 broadcast
  EXPECT_EQ(format_ip(*next_free_address(s, {ip("10.99.0.1")})), "10.99.0.2");
  auto full = next_free_address(s, {ip("10.99.0.1"), ip("10.99.0.2")});
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, ENOSPC);
}

TEST(NextFreeAddress, UsesTheLastIpv6Address) {
  Subnet s = subnet("fd00::/126");
  auto last = next_free_address(s, {ip("fd00::1"), ip("fd00::2")});
  ASSERT_TRUE(last);
  EXPECT_EQ(format_ip(*last), "fd00::3");
}

}  // namespace
}  // namespace burrow::net

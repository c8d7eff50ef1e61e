#include "rootless-net/port_spec.h"

#include <gtest/gtest.h>

namespace burrow::net {
namespace {

PortMapping only(const std::string& spec) {
  auto parsed = parse_publish(spec);
  EXPECT_TRUE(parsed) << spec << ": " << parsed.error().message;
  EXPECT_EQ(parsed->size(), 1u) << spec;
  return parsed->front();
}

TEST(ParsePublish, ContainerPortAlone) {
  PortMapping p = only("80");
  EXPECT_EQ(p.container_port, 80);
  EXPECT_EQ(p.host_port, 0);
  EXPECT_EQ(p.host_ip, "");
  EXPECT_EQ(p.protocol, "tcp");
}

TEST(ParsePublish, HostAndContainerWithProtocol) {
  PortMapping p = only("8080:80/udp");
  EXPECT_EQ(p.host_port, 8080);
  EXPECT_EQ(p.container_port, 80);
  EXPECT_EQ(p.protocol, "udp");
}

TEST(ParsePublish, HostAddressForms) {
  PortMapping v4 = only("127.0.0.1:8080:80");
  EXPECT_EQ(v4.host_ip, "127.0.0.1");
  PortMapping any_port = only("127.0.0.1::80");
  EXPECT_EQ(any_port.host_port, 0);
  PortMapping v6 = only("[::1]:8080:80/tcp");
  EXPECT_EQ(v6.host_ip, "::1");
  EXPECT_EQ(v6.host_port, 8080);
  EXPECT_EQ(only("0.0.0.0:81:80").host_ip, "");
}

TEST(ParsePublish, RangesExpandToOneMappingPerPort) {
  auto parsed = parse_publish("8000-8002:9000-9002");
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[2].host_port, 8002);
  EXPECT_EQ((*parsed)[2].container_port, 9002);
  auto open_hosts = parse_publish("90-91");
  ASSERT_TRUE(open_hosts);
  EXPECT_EQ(open_hosts->size(), 2u);
  EXPECT_EQ(open_hosts->front().host_port, 0);
}

TEST(ParsePublish, BadSpecsNameTheProblem) {
  for (const char* spec : {"", "abc", "70000", "8080:", "8080:0", "1:2:3:4", "80/xyz",
                           "1.2.3:80:80", "8000-8002:80-81", "[::1:80:80", "90-80", "x:80:80"}) {
    auto parsed = parse_publish(spec);
    ASSERT_FALSE(parsed) << spec;
    EXPECT_FALSE(parsed.error().message.empty());
  }
}

TEST(ParseExposedPort, ImageKeys) {
  auto tcp = parse_exposed_port("80/tcp");
  ASSERT_TRUE(tcp);
  EXPECT_EQ(tcp->container_port, 80);
  auto udp = parse_exposed_port("53/udp");
  ASSERT_TRUE(udp);
  EXPECT_EQ(udp->protocol, "udp");
  EXPECT_FALSE(parse_exposed_port("8080:80"));
}

TEST(AssignHostPorts, FillsOpenPortsAndRefusesDuplicates) {
  std::vector<PortMapping> ports = {{"127.0.0.1", 0, 80, "tcp"}, {"127.0.0.1", 0, 81, "tcp"}};
  ASSERT_TRUE(assign_host_ports(ports));
  EXPECT_NE(ports[0].host_port, 0);
  EXPECT_NE(ports[1].host_port, 0);
  EXPECT_NE(ports[0].host_port, ports[1].host_port);
  std::vector<PortMapping> twice = {{"", 18123, 80, "tcp"}, {"", 18123, 81, "tcp"}};
  EXPECT_FALSE(assign_host_ports(twice));
}

TEST(CheckPortsFree, ReportsAPortInUse) {
  std::vector<PortMapping> ports = {{"127.0.0.1", 0, 80, "tcp"}};
  ASSERT_TRUE(assign_host_ports(ports));
  EXPECT_TRUE(check_ports_free(ports));
}

}  // namespace
}  // namespace burrow::net

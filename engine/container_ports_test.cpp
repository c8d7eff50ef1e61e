#include "engine/container_ports.h"

#include <gtest/gtest.h>

namespace burrow::engine {
namespace {

const std::vector<PortMapping> kPorts = {
    {"", 8080, 80, "tcp"}, {"", 8080, 80, "udp"}, {"::1", 9443, 443, "tcp"}};

TEST(PortLines, ListsEveryMappingAsPodmanDoes) {
  auto lines = port_lines(kPorts, std::nullopt);
  ASSERT_TRUE(lines);
  EXPECT_EQ(*lines, (std::vector<std::string>{"80/tcp -> 0.0.0.0:8080", "80/udp -> 0.0.0.0:8080",
                                              "443/tcp -> [::1]:9443"}));
  EXPECT_TRUE(port_lines({}, std::nullopt)->empty());
}

TEST(PortLines, LooksUpOnePrivatePort) {
  EXPECT_EQ(*port_lines(kPorts, *parse_port_query("80")), std::vector<std::string>{"0.0.0.0:8080"});
  EXPECT_EQ(*port_lines(kPorts, *parse_port_query("80/udp")),
            std::vector<std::string>{"0.0.0.0:8080"});
  auto missing = port_lines(kPorts, *parse_port_query("443/udp"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "failed to find published port \"443/udp\"");
  EXPECT_FALSE(port_lines({}, *parse_port_query("80")));
}

TEST(PortQuery, RefusesWhatIsNotAPort) {
  for (const char* bad : {"", "0", "65536", "http", "80/", "80/icmp", "80x", "-1"})
    EXPECT_FALSE(parse_port_query(bad)) << bad;
  auto sctp = parse_port_query("9/sctp");
  ASSERT_TRUE(sctp);
  EXPECT_EQ(sctp->port, 9);
  EXPECT_EQ(sctp->protocol, "sctp");
}

}  // namespace
}  // namespace burrow::engine

#include "rootless-net/network_mode.h"

#include <gtest/gtest.h>

namespace burrow::net {
namespace {

NetworkMode parsed(std::vector<std::string> values) {
  auto mode = parse_network_flags(values, true);
  EXPECT_TRUE(mode) << (mode ? "" : mode.error().message);
  return mode ? *mode : NetworkMode{};
}

TEST(ParseNetworkFlags, SimpleModes) {
  EXPECT_EQ(parsed({"none"}).kind, NetworkKind::kNone);
  EXPECT_EQ(parsed({"host"}).kind, NetworkKind::kHost);
  EXPECT_EQ(network_mode_name(parsed({"pasta"})), "pasta");
  EXPECT_EQ(network_mode_name(parsed({"slirp4netns"})), "slirp4netns");
}

TEST(ParseNetworkFlags, HelperOptionsAreSplitAtCommas) {
  NetworkMode pasta = parsed({"pasta:--mtu,65520"});
  EXPECT_EQ(pasta.helper_options, (std::vector<std::string>{"--mtu", "65520"}));
  NetworkMode slirp = parsed({"slirp4netns:allow_host_loopback=true,mtu=1500"});
  EXPECT_EQ(slirp.helper_options.size(), 2u);
}

TEST(ParseNetworkFlags, TargetsOfSharedNamespaces) {
  NetworkMode container = parsed({"container:web"});
  EXPECT_EQ(container.kind, NetworkKind::kContainer);
  EXPECT_EQ(network_mode_name(container), "container:web");
  NetworkMode path = parsed({"ns:/run/netns/x"});
  EXPECT_EQ(path.kind, NetworkKind::kPath);
  EXPECT_EQ(path.target, "/run/netns/x");
}

TEST(ParseNetworkFlags, UserNetworksWithOptions) {
  NetworkMode mode = parsed({"appnet:alias=db,ip=10.89.0.5", "other"});
  EXPECT_EQ(mode.kind, NetworkKind::kBridge);
  ASSERT_EQ(mode.networks.size(), 2u);
  EXPECT_EQ(mode.networks[0].network, "appnet");
  EXPECT_EQ(mode.networks[0].aliases, std::vector<std::string>{"db"});
  EXPECT_EQ(mode.networks[0].static_ips, std::vector<std::string>{"10.89.0.5"});
  EXPECT_EQ(parsed({"a,b"}).networks.size(), 2u);
  EXPECT_EQ(parsed({"bridge"}).networks.front().network, kDefaultNetwork);
}

TEST(ParseNetworkFlags, BadValuesAreRefused) {
  for (std::vector<std::string> values : {std::vector<std::string>{""},
                                          {"bad name"},
                                          {"container:"},
                                          {"ns:relative"},
                                          {"none:x"},
                                          {"host", "appnet"},
                                          {"a", "a"},
                                          {"appnet:alias"},
                                          {"appnet:color=red"},
                                          {"slirp4netns:mtu=x"},
                                          {"slirp4netns:nope=1"},
                                          {"slirp4netns:port_handler=rootlessport"},
                                          {"pasta:--netns,/x"},
                                          {"pasta:a,,b"}}) {
    EXPECT_FALSE(parse_network_flags(values, true)) << values.front();
  }
}

TEST(NetworkKindFromName, ReadsStoredNames) {
  EXPECT_EQ(*network_kind_from_name("none"), NetworkKind::kNone);
  EXPECT_EQ(*network_kind_from_name("container"), NetworkKind::kContainer);
  EXPECT_FALSE(network_kind_from_name("nonsense"));
}

}  // namespace
}  // namespace burrow::net

#include "rootless-net/network_config.h"

#include <gtest/gtest.h>

namespace burrow::net {
namespace {

constexpr const char* kCreated = "2024-05-01T12:00:00.123456789Z";

// A network file exactly as Podman 4.3 wrote it for
// `podman network create --subnet 10.99.0.0/24 --ip-range 10.99.0.128/25
//  --ipv6 --label a=b --label c -o mtu=1400 -o isolate=true foo`.
constexpr const char* kPodmanFile = R"({
     "name": "foo",
     "id": "c75504c0f1357568376c98a9f4895eef0e0fa1df6b3e02afebeb4b47cd8208d9",
     "driver": "bridge",
     "network_interface": "podman2",
     "created": "2026-11-24T01:08:14.811053022Z",
     "subnets": [
          {
               "subnet": "10.99.0.0/24",
               "gateway": "10.99.0.1",
               "lease_range": {
                    "start_ip": "10.99.0.129",
                    "end_ip": "10.99.0.255"
               }
          },
          {
               "subnet": "fd7b:d368:5ea1:96d7::/64",
               "gateway": "fd7b:d368:5ea1:96d7::1"
          }
     ],
     "ipv6_enabled": true,
     "internal": false,
     "dns_enabled": true,
     "labels": {
          "a": "b",
          "c": ""
     },
     "options": {
          "isolate": "true",
          "mtu": "1400"
     },
     "ipam_options": {
          "driver": "host-local"
     }
}
)";

// NetworkRequest with only what a test sets (designated initializers
// would warn about the fields left out).
struct Req {
  NetworkRequest r;
  Req& name(std::string v) { return r.name = std::move(v), *this; }
  Req& driver(std::string v) { return r.driver = std::move(v), *this; }
  Req& subnets(std::vector<std::string> v) { return r.subnets = std::move(v), *this; }
  Req& gateways(std::vector<std::string> v) { return r.gateways = std::move(v), *this; }
  Req& ip_ranges(std::vector<std::string> v) { return r.ip_ranges = std::move(v), *this; }
  Req& internal(bool v) { return r.internal = v, *this; }
  Req& ipv6(bool v) { return r.ipv6 = v, *this; }
  Req& disable_dns(bool v) { return r.disable_dns = v, *this; }
  Req& labels(std::vector<std::string> v) { return r.labels = std::move(v), *this; }
  Req& options(std::vector<std::string> v) { return r.options = std::move(v), *this; }
  Req& interface_name(std::string v) { return r.interface_name = std::move(v), *this; }
  operator const NetworkRequest&() const { return r; }  // NOLINT: meant to convert
};

NetworkContext empty_context() {
  NetworkContext context;
  context.existing.push_back(default_network(kCreated));
  context.created = kCreated;
  context.random = [] { return 0x1122334455667788ULL; };
  return context;
}

Network plan_ok(const NetworkRequest& request, const NetworkContext& context = empty_context()) {
  auto planned = plan_network(request, context);
  EXPECT_TRUE(planned) << planned.error().message;
  return planned ? *planned : Network{};
}

std::string plan_error(const NetworkRequest& request,
                       const NetworkContext& context = empty_context()) {
  auto planned = plan_network(request, context);
  EXPECT_FALSE(planned) << "planned " << (planned ? planned->name : "");
  return planned ? "" : planned.error().message;
}

// ---- the JSON form ----------------------------------------------------------

TEST(NetworkJson, ReadsPodmansFileAndWritesItBackByteForByte) {
  auto network = network_from_json(kPodmanFile);
  ASSERT_TRUE(network) << network.error().message;
  EXPECT_EQ(network->name, "foo");
  ASSERT_EQ(network->subnets.size(), 2u);
  EXPECT_EQ(format_ip(network->subnets[0].lease_range->start_ip), "10.99.0.129");
  EXPECT_TRUE(network->subnets[1].subnet.v6());
  EXPECT_EQ(network->labels.at("c"), "");
  EXPECT_EQ(network->options.at("mtu"), "1400");
  EXPECT_EQ(network_file_text(*network), kPodmanFile);
}

TEST(NetworkJson, DefaultNetworkIsPodmans) {
  Network network = default_network(kCreated);
  EXPECT_EQ(
      network_json(network).dump(),
      R"({"name":"podman","id":"2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9",)"
      R"("driver":"bridge","network_interface":"podman0","created":"2024-05-01T12:00:00.123456789Z",)"
      R"("subnets":[{"subnet":"10.88.0.0/16","gateway":"10.88.0.1"}],"ipv6_enabled":false,)"
      R"("internal":false,"dns_enabled":false,"ipam_options":{"driver":"host-local"}})");
  EXPECT_TRUE(validate_network(network));
}

TEST(NetworkJson, LeavesOutAMissingGateway) {
  Network network = default_network(kCreated);
  network.subnets[0].gateway.reset();
  EXPECT_FALSE(network_json(network)["subnets"][0].contains("gateway"));
  EXPECT_TRUE(network_from_json(network_file_text(network)));
}

// Each damage, and the words the error must contain.
struct Damage {
  std::string from, to, expected;
};

TEST(NetworkJson, RefusesDamagedFilesNamingTheField) {
  const std::vector<Damage> damages = {
      {"\"name\": \"foo\",", "", "missing field \"name\""},
      {"\"name\": \"foo\"", "\"name\": 7", "field \"name\" must be a string"},
      {"\"name\": \"foo\"", "\"name\": \"a/b\"", "network name \"a/b\" invalid"},
      {"c75504c0f135", "C75504C0F135", "invalid network id"},
      {"\"driver\": \"bridge\"", "\"driver\": \"macvlan\"", "macvlan"},
      {"\"podman2\"", "\"averyveryverylongname\"", "interface name"},
      {"2026-11-24T01:08:14.811053022Z", "yesterday", "invalid created time"},
      {"\"10.99.0.0/24\"", "\"10.99.0.0/33\"", "subnets[0].subnet"},
      {"\"gateway\": \"10.99.0.1\"", "\"gateway\": \"10.98.0.1\"", "gateway 10.98.0.1 not in"},
      {"\"gateway\": \"10.99.0.1\"", "\"gateway\": \"bad\"", "subnets[0].gateway"},
      {"\"start_ip\": \"10.99.0.129\"", "\"start_ip\": \"10.98.0.129\"", "lease range start"},
      {"\"end_ip\": \"10.99.0.255\"", "\"end_ip\": \"10.99.0.2\"", "ends before it starts"},
      {"\"fd7b:d368:5ea1:96d7::/64\",\n               \"gateway\": \"fd7b:d368:5ea1:96d7::1\"",
       "\"10.99.0.128/25\"", "subnets 10.99.0.0/24 and 10.99.0.128/25 overlap"},
      {"\"ipv6_enabled\": true", "\"ipv6_enabled\": \"yes\"", "must be true or false"},
      {"\"mtu\": \"1400\"", "\"mtu\": \"big\"", "invalid mtu"},
      {"\"mtu\": \"1400\"", "\"metric\": \"1\"", "unsupported bridge network option"},
      {"\"isolate\": \"true\"", "\"isolate\": 1", "options.isolate"},
      {"host-local", "dhcp", "ipam_options"},
      {"\"internal\": false,", "\"internal\": false, \"routes\": [],", "unknown field \"routes\""},
      {"\"gateway\": \"10.99.0.1\",", "\"gateway\": \"10.99.0.1\", \"x\": 1,",
       "unknown field \"subnets[0].x\""},
      {"\"subnets\": [", "\"subnets\": 5, \"s\": [", "field \"subnets\" must be an array"},
      {"\"ipam_options\"", "\"x\": {}, \"ipam_options\"", "unknown field \"x\""},
      {"{\n     \"name\"", "[{\n     \"name\"", "not valid JSON"},
  };
  for (const auto& damage : damages) {
    std::string text = kPodmanFile;
    size_t at = text.find(damage.from);
    ASSERT_NE(at, std::string::npos) << damage.from;
    text.replace(at, damage.from.size(), damage.to);
    auto network = network_from_json(text);
    ASSERT_FALSE(network) << damage.expected;
    EXPECT_NE(network.error().message.find(damage.expected), std::string::npos)
        << network.error().message;
  }
}

TEST(NetworkJson, RefusesEmptyAndNonObjectInput) {
  EXPECT_FALSE(network_from_json(""));
  EXPECT_FALSE(network_from_json("[]"));
  EXPECT_FALSE(network_from_json("{\"name\": \"foo\""));
}

TEST(NetworkNames, FollowPodmansPattern) {
  for (const char* good : {"a", "podman1", "my_net.v-2", "9lives"})
    EXPECT_TRUE(check_network_name(good)) << good;
  for (const char* bad : {"", "-a", ".a", "_a", "a/b", "a b", "a:b", "..", "ä"})
    EXPECT_FALSE(check_network_name(bad)) << bad;
  EXPECT_FALSE(check_network_name(std::string(201, 'a')));
}

TEST(InterfaceNames, FollowTheKernelsRules) {
  EXPECT_TRUE(check_interface_name("podman1"));
  EXPECT_TRUE(check_interface_name(std::string(15, 'b')));
  for (const std::string& bad :
       std::vector<std::string>{"", std::string(16, 'b'), ".", "..", "a/b", "a:b", "a b"})
    EXPECT_FALSE(check_interface_name(bad)) << bad;
}

// ---- planning -----------------------------------------------------------------

TEST(PlanNetwork, DefaultsAreThoseOfPodman) {
  Network network = plan_ok(Req());
  EXPECT_EQ(network.name, "podman1");
  EXPECT_EQ(network.network_interface, "podman1");
  EXPECT_EQ(network.driver, "bridge");
  EXPECT_EQ(network.id.size(), 64u);
  EXPECT_NE(network.id, kDefaultNetworkId);
  EXPECT_EQ(network.created, kCreated);
  ASSERT_EQ(network.subnets.size(), 1u);
  EXPECT_EQ(network.subnets[0].subnet.to_string(), "10.89.0.0/24");
  EXPECT_EQ(format_ip(*network.subnets[0].gateway), "10.89.0.1");
  EXPECT_TRUE(network.dns_enabled);
  EXPECT_FALSE(network.internal);
  EXPECT_FALSE(network.ipv6_enabled);
  EXPECT_EQ(network.ipam_options.at("driver"), "host-local");
}

TEST(PlanNetwork, GeneratedNamesAndSubnetsSkipThoseInUse) {
  NetworkContext context = empty_context();
  context.existing.push_back(plan_ok(Req(), context));
  context.existing.push_back(plan_ok(Req().name("podman2"), context));
  context.host_interfaces = {"lo", "eth0", "podman3"};
  Network third = plan_ok(Req(), context);
  EXPECT_EQ(third.name, "podman4");
  EXPECT_EQ(third.network_interface, "podman4");
  EXPECT_EQ(third.subnets[0].subnet.to_string(), "10.89.2.0/24");
  // Given a name, the interface is still the first free podmanN.
  EXPECT_EQ(plan_ok(Req().name("web"), context).network_interface, "podman4");
}

TEST(PlanNetwork, HostRoutesAreNotGivenOut) {
  NetworkContext context = empty_context();
  context.host_routes = {{*parse_subnet("10.89.0.0/23"), "eth1"}};
  EXPECT_EQ(plan_ok(Req(), context).subnets[0].subnet.to_string(), "10.89.2.0/24");
  std::string error = plan_error(Req().subnets({"10.89.1.0/24"}), context);
  EXPECT_NE(error.find("overlaps the host's route to 10.89.0.0/23 on eth1"), std::string::npos)
      << error;
}

TEST(PlanNetwork, DuplicateNamesAreRefusedAsPodmanSaysIt) {
  NetworkContext context = empty_context();
  context.existing.push_back(plan_ok(Req().name("foo"), context));
  context.taken_names = {"broken"};
  EXPECT_EQ(plan_error(Req().name("foo"), context),
            "network name foo already used: network already exists");
  EXPECT_EQ(plan_error(Req().name("podman"), context),
            "network name podman already used: network already exists");
  EXPECT_EQ(plan_error(Req().name("broken"), context),
            "network name broken already used: network already exists");
  EXPECT_EQ(plan_network(Req().name("foo"), context).error().code, EEXIST);
}

TEST(PlanNetwork, OverlappingSubnetsNameTheOtherNetwork) {
  NetworkContext context = empty_context();
  context.existing.push_back(plan_ok(Req().name("foo").subnets({"10.99.0.0/24"}), context));
  EXPECT_EQ(plan_error(Req().name("bar").subnets({"10.99.0.0/25"}), context),
            "subnet 10.99.0.0/25 overlaps subnet 10.99.0.0/24 of network foo: choose another "
            "--subnet");
  EXPECT_NE(plan_error(Req().subnets({"10.88.7.0/24"}), context).find("of network podman"),
            std::string::npos);
  EXPECT_NE(plan_error(Req().subnets({"10.100.0.0/24", "10.100.0.0/16"}), context).find("overlap"),
            std::string::npos);
}

TEST(PlanNetwork, GatewaysAndRangesBelongToTheirSubnet) {
  Network network = plan_ok(Req()
                                .subnets({"10.120.0.0/16", "10.121.0.0/16"})
                                .gateways({"10.120.5.1"})
                                .ip_ranges({"10.120.5.0/24"}));
  EXPECT_EQ(format_ip(*network.subnets[0].gateway), "10.120.5.1");
  EXPECT_EQ(format_ip(network.subnets[0].lease_range->start_ip), "10.120.5.1");
  EXPECT_EQ(format_ip(network.subnets[0].lease_range->end_ip), "10.120.5.255");
  EXPECT_EQ(format_ip(*network.subnets[1].gateway), "10.121.0.1");
  EXPECT_FALSE(network.subnets[1].lease_range);

  EXPECT_EQ(plan_error(Req().subnets({"10.99.1.0/24"}).gateways({"10.98.0.1"})),
            "gateway 10.98.0.1 not in subnet 10.99.1.0/24");
  EXPECT_EQ(plan_error(Req().subnets({"10.99.1.0/24"}).gateways({"fd00::1"})),
            "gateway fd00::1 not in subnet 10.99.1.0/24");
  EXPECT_NE(plan_error(Req().subnets({"10.99.1.0/24"}).gateways({"10.99.1.0"})).find("own address"),
            std::string::npos);
  EXPECT_NE(plan_error(Req().subnets({"10.99.1.0/24"}).gateways({"nope"})).find("invalid IP"),
            std::string::npos);
  EXPECT_EQ(plan_error(Req().subnets({"10.140.0.0/16"}).ip_ranges({"10.130.0.0/24"})),
            "--ip-range 10.130.0.0/24 is not inside subnet 10.140.0.0/16");
  EXPECT_EQ(plan_error(Req().gateways({"10.1.1.1"})),
            "cannot set --gateway or --ip-range without --subnet");
  EXPECT_EQ(plan_error(Req().subnets({"10.140.0.0/16"}).gateways({"10.140.0.1", "10.140.0.2"})),
            "cannot set more gateways than subnets");
  EXPECT_EQ(
      plan_error(Req().subnets({"10.140.0.0/16"}).ip_ranges({"10.140.1.0/24", "10.140.2.0/24"})),
      "cannot set more ranges than subnets");
}

TEST(PlanNetwork, BadSubnetsAreRefused) {
  EXPECT_EQ(plan_error(Req().subnets({"10.99.0.0/33"})), "invalid CIDR address: 10.99.0.0/33");
  EXPECT_EQ(plan_error(Req().subnets({"abc"})), "invalid CIDR address: abc");
  EXPECT_NE(plan_error(Req().subnets({"10.99.0.0/31"})).find("too small"), std::string::npos);
  EXPECT_NE(plan_error(Req().subnets({"fd00::/127"})).find("too small"), std::string::npos);
}

TEST(PlanNetwork, Ipv6SubnetsTurnIpv6On) {
  Network given = plan_ok(Req().subnets({"fd99::/64"}));
  ASSERT_EQ(given.subnets.size(), 1u);
  EXPECT_TRUE(given.ipv6_enabled);
  EXPECT_EQ(format_ip(*given.subnets[0].gateway), "fd99::1");

  Network chosen = plan_ok(Req().ipv6(true));
  ASSERT_EQ(chosen.subnets.size(), 2u);
  EXPECT_EQ(chosen.subnets[0].subnet.to_string(), "10.89.0.0/24");
  EXPECT_EQ(chosen.subnets[1].subnet.to_string(), "fd77:6655:4433:2211::/64");
  EXPECT_EQ(format_ip(*chosen.subnets[1].gateway), "fd77:6655:4433:2211::1");
  EXPECT_TRUE(chosen.ipv6_enabled);

  Network both = plan_ok(Req().subnets({"10.141.0.0/16"}).ipv6(true));
  ASSERT_EQ(both.subnets.size(), 2u);
  EXPECT_TRUE(both.subnets[1].subnet.v6());
}

TEST(PlanNetwork, InternalWithoutDnsHasNoGateway) {
  Network quiet = plan_ok(Req().internal(true).disable_dns(true));
  EXPECT_TRUE(quiet.internal);
  EXPECT_FALSE(quiet.dns_enabled);
  EXPECT_FALSE(quiet.subnets[0].gateway);
  EXPECT_FALSE(network_json(quiet)["subnets"][0].contains("gateway"));
  // With DNS, aardvark-dns listens on the gateway address.
  EXPECT_TRUE(plan_ok(Req().internal(true)).subnets[0].gateway);
}

TEST(PlanNetwork, LabelsAndOptionsAreCheckedAndNormalized) {
  Network network =
      plan_ok(Req().labels({"a=b", "c", "d=e=f"}).options({"mtu=1400", "vlan=5", "isolate=1"}));
  EXPECT_EQ(network.labels,
            (std::map<std::string, std::string>{{"a", "b"}, {"c", ""}, {"d", "e=f"}}));
  EXPECT_EQ(network.options, (std::map<std::string, std::string>{
                                 {"isolate", "true"}, {"mtu", "1400"}, {"vlan", "5"}}));
  EXPECT_NE(plan_error(Req().labels({"=x"})).find("invalid label"), std::string::npos);
  EXPECT_NE(plan_error(Req().options({"mtu=abc"})).find("invalid mtu"), std::string::npos);
  EXPECT_NE(plan_error(Req().options({"mtu=-1"})).find("invalid mtu"), std::string::npos);
  EXPECT_NE(plan_error(Req().options({"mtu"})).find("use -o KEY=VALUE"), std::string::npos);
  EXPECT_NE(plan_error(Req().options({"vlan=5000"})).find("invalid vlan"), std::string::npos);
  EXPECT_NE(plan_error(Req().options({"isolate=strict"})).find("invalid isolate"),
            std::string::npos);
  EXPECT_EQ(plan_error(Req().options({"metric=5"})),
            "unsupported bridge network option \"metric\": use mtu, vlan or isolate");
}

TEST(PlanNetwork, OnlyTheBridgeDriver) {
  EXPECT_NE(plan_error(Req().driver("macvlan")).find("macvlan driver is not supported"),
            std::string::npos);
  EXPECT_NE(plan_error(Req().driver("ipvlan")).find("ipvlan driver is not supported"),
            std::string::npos);
  EXPECT_EQ(plan_error(Req().driver("foo")), "unsupported driver \"foo\": use bridge");
}

TEST(PlanNetwork, InterfaceNamesAreUniqueAndValid) {
  NetworkContext context = empty_context();
  context.existing.push_back(plan_ok(Req().name("foo").interface_name("br-foo"), context));
  context.host_interfaces = {"eth0"};
  EXPECT_EQ(context.existing.back().network_interface, "br-foo");
  EXPECT_EQ(plan_error(Req().interface_name("br-foo"), context),
            "interface name br-foo already used by network foo");
  EXPECT_EQ(plan_error(Req().interface_name("podman0"), context),
            "interface name podman0 already used by network podman");
  EXPECT_NE(plan_error(Req().interface_name("eth0"), context).find("interface of the host"),
            std::string::npos);
  EXPECT_NE(plan_error(Req().interface_name("a/b"), context).find("interface name \"a/b\" invalid"),
            std::string::npos);
}

TEST(PlanNetwork, BadNamesAreRefused) {
  EXPECT_NE(plan_error(Req().name("bad/name")).find("names must match"), std::string::npos);
}

TEST(PlanNetwork, WhatIsPlannedReadsBack) {
  Network network = plan_ok(Req()
                                .name("round")
                                .subnets({"10.99.0.0/24", "fd12::/64"})
                                .ip_ranges({"10.99.0.128/25"})
                                .labels({"x=y"})
                                .options({"mtu=9000"}));
  auto back = network_from_json(network_file_text(network));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(network_file_text(*back), network_file_text(network));
}

}  // namespace
}  // namespace burrow::net

#include "rootless-net/netavark.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file_util.h"

namespace burrow::net {
namespace {

using nlohmann::json;

json bridge(const std::string& name, const std::string& bridge_name,
            std::vector<std::string> subnets) {
  json definition = {{"name", name},
                     {"id", std::string(64, 'a')},
                     {"driver", "bridge"},
                     {"network_interface", bridge_name},
                     {"ipv6_enabled", false},
                     {"internal", false},
                     {"dns_enabled", true},
                     {"ipam_options", {{"driver", "host-local"}}},
                     {"subnets", json::array()}};
  for (const auto& subnet : subnets) definition["subnets"].push_back({{"subnet", subnet}});
  return definition;
}

NetavarkRequest one_network_request() {
  NetavarkRequest request;
  request.container_id = std::string(64, 'c');
  request.container_name = "web";
  NetavarkAttach attach;
  attach.network = "podman";
  attach.definition = bridge("podman", "podman0", {"10.88.0.0/16"});
  attach.interface_name = "eth0";
  attach.static_ips = {"10.88.0.2"};
  request.networks.push_back(attach);
  return request;
}

PortMapping port(uint16_t host, uint16_t container, const char* protocol = "tcp",
                 const char* host_ip = "") {
  PortMapping mapping;
  mapping.host_ip = host_ip;
  mapping.host_port = host;
  mapping.container_port = container;
  mapping.protocol = protocol;
  return mapping;
}

TEST(NetavarkRequestJson, CarriesTheContainerAndEachNetworkUnderItsName) {
  NetavarkRequest request = one_network_request();
  json options = netavark_request_json(request);
  EXPECT_EQ(options["container_id"], std::string(64, 'c'));
  EXPECT_EQ(options["container_name"], "web");
  EXPECT_EQ(options["networks"]["podman"]["interface_name"], "eth0");
  EXPECT_EQ(options["networks"]["podman"]["static_ips"], json({"10.88.0.2"}));
  EXPECT_EQ(options["network_info"]["podman"], request.networks[0].definition);
}

TEST(NetavarkRequestJson, LeavesOutWhatIsNotSet) {
  json options = netavark_request_json(one_network_request());
  EXPECT_FALSE(options.contains("port_mappings"));
  EXPECT_FALSE(options.contains("dns_servers"));
  EXPECT_FALSE(options["networks"]["podman"].contains("aliases"));
  EXPECT_FALSE(options["networks"]["podman"].contains("static_mac"));
}

TEST(NetavarkRequestJson, PassesAliasesMacAndDnsServers) {
  NetavarkRequest request = one_network_request();
  request.networks[0].aliases = {"db", "cache"};
  request.networks[0].static_mac = "92:d0:c6:0a:29:33";
  request.dns_servers = {"192.0.2.53"};
  json options = netavark_request_json(request);
  EXPECT_EQ(options["networks"]["podman"]["aliases"], json({"db", "cache"}));
  EXPECT_EQ(options["networks"]["podman"]["static_mac"], "92:d0:c6:0a:29:33");
  EXPECT_EQ(options["dns_servers"], json({"192.0.2.53"}));
}

TEST(NetavarkRequestJson, WritesEveryFieldOfAPortMapping) {
  NetavarkRequest request = one_network_request();
  request.ports = {port(8080, 80, "tcp", "127.0.0.1")};
  json mappings = netavark_request_json(request)["port_mappings"];
  ASSERT_EQ(mappings.size(), 1u);
  EXPECT_EQ(mappings[0], json({{"host_ip", "127.0.0.1"},
                               {"container_port", 80},
                               {"host_port", 8080},
                               {"range", 1},
                               {"protocol", "tcp"}}));
}

TEST(NetavarkRequestJson, MergesConsecutivePortsIntoOneRange) {
  NetavarkRequest request = one_network_request();
  request.ports = {port(8000, 80), port(8001, 81), port(8002, 82), port(9000, 90)};
  json mappings = netavark_request_json(request)["port_mappings"];
  ASSERT_EQ(mappings.size(), 2u);
  EXPECT_EQ(mappings[0]["host_port"], 8000);
  EXPECT_EQ(mappings[0]["container_port"], 80);
  EXPECT_EQ(mappings[0]["range"], 3);
  EXPECT_EQ(mappings[1]["host_port"], 9000);
  EXPECT_EQ(mappings[1]["range"], 1);
}

TEST(NetavarkRequestJson, KeepsPortsApartWhenProtocolAddressOrStepDiffer) {
  NetavarkRequest request = one_network_request();
  request.ports = {port(53, 53, "tcp"), port(54, 54, "udp"), port(55, 55, "udp", "127.0.0.1"),
                   port(56, 57, "udp", "127.0.0.1")};
  EXPECT_EQ(netavark_request_json(request)["port_mappings"].size(), 4u);
}

TEST(NetavarkRequestJson, UnbracketsIpv6HostAddresses) {
  NetavarkRequest request = one_network_request();
  request.ports = {port(8080, 80, "tcp", "[::1]")};
  EXPECT_EQ(netavark_request_json(request)["port_mappings"][0]["host_ip"], "::1");
}

TEST(CheckNetavarkRequest, AcceptsAWellFormedRequest) {
  NetavarkRequest request = one_network_request();
  request.ports = {port(8080, 80)};
  EXPECT_TRUE(check_netavark_request(request));
}

TEST(CheckNetavarkRequest, WantsOneAddressPerSubnet) {
  NetavarkRequest request = one_network_request();
  request.networks[0].definition = bridge("podman", "podman0", {"10.88.0.0/16", "fd00::/64"});
  auto status = check_netavark_request(request);
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("one per subnet"), std::string::npos);
  request.networks[0].static_ips.push_back("fd00::2");
  EXPECT_TRUE(check_netavark_request(request));
}

TEST(CheckNetavarkRequest, WantsNoAddressWithoutHostLocalIpam) {
  NetavarkRequest request = one_network_request();
  request.networks[0].definition["ipam_options"]["driver"] = "none";
  request.networks[0].static_ips.clear();
  EXPECT_TRUE(check_netavark_request(request));
}

TEST(CheckNetavarkRequest, RefusesADefinitionOfAnotherNetwork) {
  NetavarkRequest request = one_network_request();
  request.networks[0].definition["name"] = "other";
  EXPECT_FALSE(check_netavark_request(request));
  request.networks[0].definition = "not an object";
  EXPECT_FALSE(check_netavark_request(request));
}

TEST(CheckNetavarkRequest, RefusesMissingIdsAndNames) {
  NetavarkRequest request = one_network_request();
  request.container_id.clear();
  EXPECT_FALSE(check_netavark_request(request));
  request = one_network_request();
  request.container_name.clear();
  EXPECT_FALSE(check_netavark_request(request));
  request = one_network_request();
  request.networks[0].interface_name.clear();
  EXPECT_FALSE(check_netavark_request(request));
  request = one_network_request();
  request.networks.clear();
  EXPECT_FALSE(check_netavark_request(request));
}

TEST(CheckNetavarkRequest, RefusesDuplicatedNetworksAndInterfaces) {
  NetavarkRequest request = one_network_request();
  request.networks.push_back(request.networks[0]);
  request.networks[1].interface_name = "eth1";
  EXPECT_FALSE(check_netavark_request(request));
  request = one_network_request();
  NetavarkAttach second = request.networks[0];
  second.network = "mynet";
  second.definition = bridge("mynet", "podman1", {"10.89.0.0/24"});
  second.static_ips = {"10.89.0.2"};
  request.networks.push_back(second);
  EXPECT_FALSE(check_netavark_request(request));  // both eth0
  request.networks[1].interface_name = "eth1";
  EXPECT_TRUE(check_netavark_request(request));
}

TEST(CheckNetavarkRequest, RefusesBadPorts) {
  NetavarkRequest request = one_network_request();
  request.ports = {port(8080, 80, "tcp,udp")};
  EXPECT_FALSE(check_netavark_request(request));
  request.ports = {port(0, 80)};
  EXPECT_FALSE(check_netavark_request(request));
}

// What netavark 1.4 printed for a container on two networks.
constexpr const char* kTwoNetworkStatus =
    R"({"usernet":{"dns_search_domains":["dns.podman"],"dns_server_ips":["10.89.0.1"],)"
    R"("interfaces":{"eth1":{"mac_address":"0a:9c:d6:3f:c5:31","subnets":[{"gateway":"10.89.0.1",)"
    R"("ipnet":"10.89.0.2/24"}]}}},"podman":{"dns_search_domains":[],"dns_server_ips":[],)"
    R"("interfaces":{"eth0":{"mac_address":"96:28:4c:17:1c:12","subnets":[{"gateway":"10.88.0.1",)"
    R"("ipnet":"10.88.0.2/16"}]}}}})"
    "\n";

TEST(ParseNetavarkStatus, ReadsOneStatusPerNetwork) {
  auto statuses = parse_netavark_status(kTwoNetworkStatus);
  ASSERT_TRUE(statuses) << statuses.error().message;
  ASSERT_EQ(statuses->size(), 2u);
  const NetworkStatus& podman = (*statuses)[0];
  EXPECT_EQ(podman.network, "podman");
  EXPECT_EQ(podman.interface, "eth0");
  EXPECT_EQ(podman.mac, "96:28:4c:17:1c:12");
  EXPECT_EQ(podman.addresses, std::vector<std::string>{"10.88.0.2/16"});
  EXPECT_EQ(podman.gateways, std::vector<std::string>{"10.88.0.1"});
  EXPECT_TRUE(podman.dns_server_ips.empty());
  const NetworkStatus& user = (*statuses)[1];
  EXPECT_EQ(user.network, "usernet");
  EXPECT_EQ(user.interface, "eth1");
  EXPECT_EQ(user.dns_server_ips, std::vector<std::string>{"10.89.0.1"});
  EXPECT_EQ(user.dns_search_domains, std::vector<std::string>{"dns.podman"});
}

TEST(ParseNetavarkStatus, ReadsDualStackAndGatewaylessSubnets) {
  auto statuses = parse_netavark_status(
      R"({"n":{"interfaces":{"eth0":{"mac_address":"aa:bb:cc:dd:ee:ff","subnets":[)"
      R"({"ipnet":"10.90.0.2/24"},{"gateway":"fd00::1","ipnet":"fd00::2/64"}]}}}})");
  ASSERT_TRUE(statuses);
  EXPECT_EQ((*statuses)[0].addresses, (std::vector<std::string>{"10.90.0.2/24", "fd00::2/64"}));
  EXPECT_EQ((*statuses)[0].gateways, std::vector<std::string>{"fd00::1"});
}

TEST(ParseNetavarkStatus, RefusesWhatIsNotAStatus) {
  EXPECT_FALSE(parse_netavark_status(""));
  EXPECT_FALSE(parse_netavark_status("[]"));
  EXPECT_FALSE(parse_netavark_status("{\"podman\": 3}"));
  EXPECT_FALSE(parse_netavark_status(R"({"podman":{"interfaces":[]}})"));
  auto error = parse_netavark_status(R"({"error":"IO error: boom"})");
  ASSERT_FALSE(error);
  EXPECT_NE(error.error().message.find("IO error: boom"), std::string::npos);
}

TEST(NetavarkError, CarriesNetavarksOwnText) {
  NetavarkFailure failure;
  failure.action = "setup";
  failure.exit_code = 1;
  failure.stdout_text = R"({"error":"failed to create bridge podman0: Netlink error: x"})"
                        "\n";
  Error error = netavark_error(failure);
  EXPECT_EQ(error.message, "netavark setup: failed to create bridge podman0: Netlink error: x");
}

TEST(NetavarkError, NamesIptablesWhenItIsMissing) {
  NetavarkFailure failure;
  failure.action = "setup";
  failure.exit_code = 1;
  failure.stdout_text = R"j({"error":"No such file or directory (os error 2)"})j";
  failure.iptables_found = false;
  EXPECT_NE(netavark_error(failure).message.find("install iptables"), std::string::npos);
  failure.iptables_found = true;
  EXPECT_EQ(netavark_error(failure).message.find("iptables"), std::string::npos);
}

TEST(NetavarkError, ExplainsAGoneNamespaceAndTheFirewallDriver) {
  NetavarkFailure failure;
  failure.action = "setup";
  failure.exit_code = 1;
  failure.stdout_text =
      R"j({"error":"invalid namespace path: IO error: No such file or directory (os error 2)"})j";
  EXPECT_NE(netavark_error(failure).message.find("network namespace is gone"), std::string::npos);
  failure.stdout_text = R"({"error":"nftables support presently not available"})";
  EXPECT_NE(netavark_error(failure).message.find("unset NETAVARK_FW"), std::string::npos);
}

TEST(NetavarkError, ExplainsPermissionOnlyOutsideRootlessMode) {
  NetavarkFailure failure;
  failure.action = "setup";
  failure.exit_code = 1;
  failure.stdout_text = R"j({"error":"Netlink error: Operation not permitted (os error 1)"})j";
  EXPECT_NE(netavark_error(failure).message.find("need root"), std::string::npos);
  failure.rootless = true;
  EXPECT_EQ(netavark_error(failure).message.find("need root"), std::string::npos);
}

TEST(NetavarkError, FallsBackToStderrThenToTheExitStatus) {
  NetavarkFailure failure;
  failure.action = "teardown";
  failure.exit_code = 101;
  failure.stderr_text =
      "failed to connect to syslog: Initialization\nthread 'main' panicked at 'index out of "
      "bounds'\n";
  EXPECT_EQ(netavark_error(failure).message,
            "netavark teardown: thread 'main' panicked at 'index out of bounds'");
  failure.stderr_text.clear();
  failure.exit_code = 128 + 9;
  EXPECT_EQ(netavark_error(failure).message, "netavark teardown: killed by signal 9");
}

class FindNetavark : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = base::make_temp_dir(::testing::TempDir(), "find-netavark-");
    ASSERT_TRUE(dir);
    root_ = *dir;
    for (const char* sub : {"a", "b"}) ASSERT_TRUE(base::make_dirs(base::path_join(root_, sub)));
  }
  void TearDown() override { (void)base::remove_tree(root_); }
  void program(const std::string& path, mode_t mode = 0755) {
    ASSERT_TRUE(base::write_file_atomic(base::path_join(root_, path), "#!/bin/sh\n", mode, false));
  }
  std::string dir(const char* sub) { return base::path_join(root_, sub); }
  std::string root_;
};

TEST_F(FindNetavark, TakesEachProgramFromTheFirstDirectoryThatHasIt) {
  program("a/netavark");
  program("b/netavark");
  program("b/aardvark-dns");
  auto env = find_netavark("/run/x/networks", true, {dir("a"), dir("b")});
  ASSERT_TRUE(env);
  EXPECT_EQ(env->netavark, dir("a") + "/netavark");
  EXPECT_EQ(env->aardvark, dir("b") + "/aardvark-dns");
  EXPECT_EQ(env->config_dir, "/run/x/networks");
  EXPECT_TRUE(env->rootless);
  EXPECT_TRUE(env->host_netns.empty());
}

TEST_F(FindNetavark, NeedsAnExecutableNetavark) {
  program("a/netavark", 0644);
  program("a/aardvark-dns");
  EXPECT_FALSE(find_netavark("/run/x", false, {dir("a"), dir("b")}));
}

TEST_F(FindNetavark, RunsWithoutAardvark) {
  program("b/netavark");
  auto env = find_netavark("/run/x", false, {dir("a"), dir("b")});
  ASSERT_TRUE(env);
  EXPECT_TRUE(env->aardvark.empty());
}

TEST(NetavarkSetup, SaysToInstallNetavarkWhenThereIsNone) {
  NetavarkEnv env;
  env.config_dir = ::testing::TempDir();
  auto result = netavark_setup(env, "/run/netns/x", one_network_request());
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("install netavark"), std::string::npos);
}

}  // namespace
}  // namespace burrow::net

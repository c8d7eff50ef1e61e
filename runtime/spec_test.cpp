#include "runtime/spec.h"

#include <gtest/gtest.h>

namespace burrow::runtime {
namespace {

using nlohmann::json;

Spec full_spec() {
  Spec spec;
  spec.process.terminal = true;
  spec.process.user = {1000, 1000, {10, 20}, 022};
  spec.process.args = {"/bin/sh", "-c", "true"};
  spec.process.env = {"PATH=/bin", "TERM=xterm"};
  spec.process.cwd = "/work";
  spec.process.capabilities.bounding = {"CAP_CHOWN", "CAP_KILL"};
  spec.process.capabilities.effective = {"CAP_KILL"};
  spec.process.capabilities.ambient = {"CAP_KILL"};
  spec.process.rlimits = {{"RLIMIT_NOFILE", 1024, 512}};
  spec.process.no_new_privileges = true;
  spec.process.oom_score_adj = 100;
  spec.root = {"/var/lib/rootfs", true};
  spec.hostname = "box";
  spec.mounts = {{"/proc", "proc", "proc", {"nosuid"}}, {"/data", "bind", "/srv", {"rbind", "ro"}}};
  spec.linux.namespaces = {{"pid", ""}, {"network", "/proc/1/ns/net"}};
  spec.linux.uid_mappings = {{0, 100000, 65536}};
  spec.linux.gid_mappings = {{0, 200000, 65536}};
  Device null_device;
  null_device.path = "/dev/null";
  null_device.type = "c";
  null_device.major = 1;
  null_device.minor = 3;
  null_device.file_mode = 0666;
  null_device.uid = 0;
  null_device.gid = 0;
  spec.linux.devices = {null_device};
  spec.linux.masked_paths = {"/proc/kcore"};
  spec.linux.readonly_paths = {"/proc/sys"};
  spec.linux.sysctl = {{"net.ipv4.ip_forward", "1"}};
  Seccomp seccomp;
  seccomp.default_action = "SCMP_ACT_ERRNO";
  seccomp.default_errno_ret = 1;
  seccomp.architectures = {"SCMP_ARCH_X86_64"};
  seccomp.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  seccomp.syscalls = {
      {{"read", "write"}, "SCMP_ACT_ALLOW", std::nullopt, {}},
      {{"personality"}, "SCMP_ACT_ALLOW", std::nullopt, {{0, 8, 0, "SCMP_CMP_EQ"}}},
      {{"clone"}, "SCMP_ACT_ERRNO", 38, {{0, 0x7e020000, 5, "SCMP_CMP_MASKED_EQ"}}}};
  spec.linux.seccomp = seccomp;
  spec.linux.rootfs_propagation = "rslave";
  spec.linux.cgroups_path = "/burrow/abc";
  spec.annotations = {{"io.burrow.name", "web"}};
  return spec;
}

TEST(SpecJson, UsesOciFieldNames) {
  json j = full_spec();
  EXPECT_EQ(j["ociVersion"], "1.0.2-dev");
  EXPECT_EQ(j["process"]["user"]["additionalGids"], json::array({10, 20}));
  EXPECT_EQ(j["process"]["user"]["umask"], 022);
  EXPECT_EQ(j["process"]["noNewPrivileges"], true);
  EXPECT_EQ(j["process"]["oomScoreAdj"], 100);
  EXPECT_EQ(j["process"]["rlimits"][0]["type"], "RLIMIT_NOFILE");
  EXPECT_EQ(j["root"]["readonly"], true);
  EXPECT_EQ(j["mounts"][1]["options"], json::array({"rbind", "ro"}));
  EXPECT_EQ(j["linux"]["uidMappings"][0]["containerID"], 0);
  EXPECT_EQ(j["linux"]["uidMappings"][0]["hostID"], 100000);
  EXPECT_EQ(j["linux"]["devices"][0]["fileMode"], 0666);
  EXPECT_EQ(j["linux"]["maskedPaths"][0], "/proc/kcore");
  EXPECT_EQ(j["linux"]["readonlyPaths"][0], "/proc/sys");
  EXPECT_EQ(j["linux"]["seccomp"]["defaultErrnoRet"], 1);
  EXPECT_EQ(j["linux"]["seccomp"]["syscalls"][2]["errnoRet"], 38);
  EXPECT_EQ(j["linux"]["seccomp"]["syscalls"][2]["args"][0]["valueTwo"], 5);
  EXPECT_EQ(j["linux"]["rootfsPropagation"], "rslave");
  EXPECT_EQ(j["linux"]["cgroupsPath"], "/burrow/abc");
  EXPECT_EQ(j["linux"]["namespaces"][1]["path"], "/proc/1/ns/net");
}

TEST(SpecJson, RoundTrips) {
  Spec original = full_spec();
  json first = original;
  Spec parsed = json::parse(first.dump()).get<Spec>();
  json second = parsed;
  EXPECT_EQ(first, second);
  EXPECT_EQ(parsed.process.user.additional_gids, (std::vector<uint32_t>{10, 20}));
  EXPECT_EQ(parsed.linux.seccomp->syscalls[1].args[0].value, 8u);
  EXPECT_EQ(parsed.process.oom_score_adj, 100);
}

TEST(SpecJson, OmitsEmptyOptionals) {
  Spec spec;
  spec.process.args = {"sh"};
  json j = spec;
  EXPECT_FALSE(j.contains("hostname"));
  EXPECT_FALSE(j.contains("mounts"));
  EXPECT_FALSE(j.contains("annotations"));
  EXPECT_FALSE(j["process"].contains("terminal"));
  EXPECT_FALSE(j["process"].contains("oomScoreAdj"));
  EXPECT_FALSE(j["process"].contains("capabilities"));
  EXPECT_FALSE(j["process"]["user"].contains("umask"));
  EXPECT_FALSE(j["process"]["user"].contains("additionalGids"));
  EXPECT_FALSE(j["linux"].contains("seccomp"));
  EXPECT_FALSE(j["linux"].contains("sysctl"));
}

TEST(SpecJson, ParsesMinimalConfig) {
  auto j = json::parse(R"({"ociVersion":"1.0.0","process":{"args":["sh"],"cwd":"/"},
                           "root":{"path":"rootfs"},"linux":{"namespaces":[{"type":"mount"}]}})");
  Spec spec = j.get<Spec>();
  EXPECT_EQ(spec.oci_version, "1.0.0");
  EXPECT_EQ(spec.root.path, "rootfs");
  EXPECT_FALSE(spec.root.readonly);
  EXPECT_TRUE(spec.has_namespace("mount"));
  EXPECT_FALSE(spec.has_namespace("pid"));
  EXPECT_FALSE(spec.process.user.umask.has_value());
}

TEST(SpecJson, WrongTypeThrowsAtTheEdge) {
  auto j = json::parse(R"({"process":{"args":"not a list"}})");
  EXPECT_THROW(j.get<Spec>(), nlohmann::json::exception);
}

}  // namespace
}  // namespace burrow::runtime

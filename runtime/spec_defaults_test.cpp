#include "runtime/spec_defaults.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>

namespace burrow::runtime {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

const Mount* find_mount(const Spec& spec, const std::string& destination) {
  for (const auto& m : spec.mounts)
    if (m.destination == destination) return &m;
  return nullptr;
}

TEST(SpecDefaults, MaskedAndReadonlyPaths) {
  Spec spec = make_default_spec({});
  for (const char* path :
       {"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/fs/selinux",
        "/sys/dev/block", "/proc/interrupts"})
    EXPECT_TRUE(contains(spec.linux.masked_paths, path)) << path;
  for (const char* path :
       {"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"})
    EXPECT_TRUE(contains(spec.linux.readonly_paths, path)) << path;
}

TEST(SpecDefaults, Namespaces) {
  Spec spec = make_default_spec({});
  for (const char* ns : {"pid", "network", "ipc", "uts", "mount", "cgroup"})
    EXPECT_TRUE(spec.has_namespace(ns)) << ns;
  EXPECT_FALSE(spec.has_namespace("user"));
  DefaultSpecOptions host_net;
  host_net.share_host_network = true;
  EXPECT_FALSE(make_default_spec(host_net).has_namespace("network"));
}

TEST(SpecDefaults, Mounts) {
  Spec spec = make_default_spec({});
  const Mount* dev = find_mount(spec, "/dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->type, "tmpfs");
  EXPECT_EQ(dev->options,
            (std::vector<std::string>{"nosuid", "strictatime", "mode=755", "size=65536k"}));
  const Mount* pts = find_mount(spec, "/dev/pts");
  ASSERT_NE(pts, nullptr);
  EXPECT_TRUE(contains(pts->options, "newinstance"));
  EXPECT_TRUE(contains(pts->options, "ptmxmode=0666"));
  EXPECT_TRUE(contains(pts->options, "gid=5"));
  const Mount* shm = find_mount(spec, "/dev/shm");
  ASSERT_NE(shm, nullptr);
  EXPECT_TRUE(contains(shm->options, "mode=1777"));
  ASSERT_NE(find_mount(spec, "/dev/mqueue"), nullptr);
  ASSERT_NE(find_mount(spec, "/proc"), nullptr);
  const Mount* sys = find_mount(spec, "/sys");
  ASSERT_NE(sys, nullptr);
  EXPECT_EQ(sys->type, "sysfs");
  EXPECT_TRUE(contains(sys->options, "ro"));
  const Mount* cgroup = find_mount(spec, "/sys/fs/cgroup");
  ASSERT_NE(cgroup, nullptr);
  EXPECT_EQ(cgroup->type, "bind");
  EXPECT_TRUE(contains(cgroup->options, "ro"));
}

TEST(SpecDefaults, RootlessWithoutTtyGroupOmitsGid5) {
  DefaultSpecOptions options;
  options.rootless = true;
  options.tty_gid_mapped = false;
  Spec spec = make_default_spec(options);
  EXPECT_FALSE(contains(find_mount(spec, "/dev/pts")->options, "gid=5"));
}

TEST(SpecDefaults, RootlessHostNetworkBindsSys) {
  DefaultSpecOptions options;
  options.rootless = true;
  options.share_host_network = true;
  Spec spec = make_default_spec(options);
  const Mount* sys = find_mount(spec, "/sys");
  ASSERT_NE(sys, nullptr);
  EXPECT_EQ(sys->type, "bind");
  EXPECT_EQ(sys->source, "/sys");
  EXPECT_TRUE(contains(sys->options, "rbind"));
  EXPECT_TRUE(contains(sys->options, "ro"));
  // /sys/fs/cgroup comes with the recursive bind.
  EXPECT_EQ(find_mount(spec, "/sys/fs/cgroup"), nullptr);
}

TEST(SpecDefaults, DevicesAndProcess) {
  DefaultSpecOptions options;
  options.rootfs = "/r";
  options.args = {"sh"};
  options.hostname = "h";
  options.readonly_rootfs = true;
  Spec spec = make_default_spec(options);
  std::vector<std::string> paths;
  for (const auto& d : spec.linux.devices) paths.push_back(d.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                             "/dev/urandom", "/dev/tty"}));
  EXPECT_EQ(spec.linux.devices.back().major, 5);
  EXPECT_EQ(spec.linux.devices.back().minor, 0);
  EXPECT_EQ(spec.root.path, "/r");
  EXPECT_TRUE(spec.root.readonly);
  EXPECT_EQ(spec.hostname, "h");
  EXPECT_EQ(spec.process.args, (std::vector<std::string>{"sh"}));
  EXPECT_EQ(spec.process.capabilities.bounding.size(), 11u);
  EXPECT_TRUE(spec.process.capabilities.ambient.empty());
  EXPECT_EQ(spec.process.user.umask, 022u);
}

uint64_t hard_20000(int resource) { return resource == RLIMIT_NOFILE ? 20000 : UINT64_MAX; }

TEST(SpecDefaults, RlimitsClampedToHostHardLimit) {
  std::vector<Rlimit> limits = default_rlimits();
  ASSERT_EQ(limits.size(), 2u);
  EXPECT_EQ(limits[0].type, "RLIMIT_NOFILE");
  EXPECT_EQ(limits[0].hard, 1048576u);
  EXPECT_EQ(limits[1].hard, 4194304u);
  clamp_rlimits(limits, hard_20000);
  EXPECT_EQ(limits[0].hard, 20000u);
  EXPECT_EQ(limits[0].soft, 20000u);
  EXPECT_EQ(limits[1].hard, 4194304u);
}

TEST(SpecDefaults, ClampToThisHost) {
  std::vector<Rlimit> limits = default_rlimits();
  clamp_rlimits_to_host(limits);
  struct rlimit host;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &host), 0);
  if (host.rlim_max != RLIM_INFINITY) {
    EXPECT_LE(limits[0].hard, host.rlim_max);
  }
  EXPECT_LE(limits[0].soft, limits[0].hard);
}

TEST(SpecDefaults, RlimitNames) {
  EXPECT_EQ(rlimit_resource_from_name("RLIMIT_NOFILE"), RLIMIT_NOFILE);
  EXPECT_EQ(rlimit_resource_from_name("RLIMIT_NPROC"), RLIMIT_NPROC);
  EXPECT_EQ(rlimit_resource_from_name("nofile"), -1);
}

}  // namespace
}  // namespace burrow::runtime

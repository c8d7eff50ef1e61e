// prepare_init_config: everything the parent decides before clone(), checked
// without privileges.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include "runtime/container_init.h"
#include "runtime/linux_container.h"
#include "runtime/spec_defaults.h"

namespace burrow::runtime {
namespace {

Spec default_spec() {
  DefaultSpecOptions options;
  options.rootfs = "/var/rootfs";
  options.args = {"probe", "arg"};
  options.hostname = "box";
  return make_default_spec(options);
}

TEST(PrepareInitConfig, DefaultSpec) {
  auto config = prepare_init_config(default_spec(), {});
  ASSERT_TRUE(config) << config.error().message;
  const InitConfig& c = **config;
  EXPECT_EQ(c.hostname, "box");
  EXPECT_EQ(c.cwd, "/");
  EXPECT_EQ(c.umask, 022u);
  ASSERT_EQ(c.argv.size(), 3u);
  EXPECT_STREQ(c.argv[0], "probe");
  EXPECT_EQ(c.argv[2], nullptr);
  EXPECT_EQ(c.envp.back(), nullptr);
  // PATH from the spec's env, in order.
  ASSERT_FALSE(c.exec_candidates.empty());
  EXPECT_EQ(c.exec_candidates[0], "/usr/local/sbin/probe");
  EXPECT_EQ(c.exec_candidates.back(), "/bin/probe");
  EXPECT_NE(c.capabilities.bounding, 0u);
  ASSERT_EQ(c.rlimits.size(), 2u);
  EXPECT_EQ(c.rlimits[0].first, RLIMIT_NOFILE);
}

TEST(PrepareInitConfig, PathFromEnvAndSlashes) {
  Spec spec = default_spec();
  spec.process.env = {"PATH=/opt/bin::/x"};
  auto config = prepare_init_config(spec, {});
  ASSERT_TRUE(config);
  EXPECT_EQ((*config)->exec_candidates,
            (std::vector<std::string>{"/opt/bin/probe", "./probe", "/x/probe"}));
  spec.process.args = {"./run.sh"};
  config = prepare_init_config(spec, {});
  ASSERT_TRUE(config);
  EXPECT_EQ((*config)->exec_candidates, (std::vector<std::string>{"./run.sh"}));
}

TEST(PrepareInitConfig, Sysctls) {
  Spec spec = default_spec();
  spec.linux.sysctl = {{"net.ipv4.ip_forward", "1"}};
  auto config = prepare_init_config(spec, {});
  ASSERT_TRUE(config);
  ASSERT_EQ((*config)->sysctls.size(), 1u);
  EXPECT_EQ((*config)->sysctls[0].first, "/proc/sys/net/ipv4/ip_forward");
  for (const char* bad : {"../../etc/passwd", "net/ipv4", ".net", "net..x"}) {
    spec.linux.sysctl = {{bad, "1"}};
    EXPECT_FALSE(prepare_init_config(spec, {})) << bad;
  }
}

TEST(PrepareInitConfig, Rejects) {
  Spec spec = default_spec();
  spec.process.args.clear();
  EXPECT_FALSE(prepare_init_config(spec, {}));

  spec = default_spec();
  spec.process.rlimits = {{"RLIMIT_BOGUS", 1, 1}};
  EXPECT_FALSE(prepare_init_config(spec, {}));

  spec = default_spec();
  spec.process.rlimits = {{"RLIMIT_NOFILE", 10, 20}};
  EXPECT_FALSE(prepare_init_config(spec, {}));

  spec = default_spec();
  spec.process.cwd = "relative";
  EXPECT_FALSE(prepare_init_config(spec, {}));

  spec = default_spec();
  spec.linux.namespaces = {{"pid", ""}, {"mount", ""}};  // hostname without uts
  EXPECT_FALSE(prepare_init_config(spec, {}));

  spec = default_spec();
  spec.linux.namespaces = {{"pid", ""}, {"uts", ""}};  // no mount namespace
  EXPECT_FALSE(prepare_init_config(spec, {}));

  spec = default_spec();
  spec.process.capabilities.effective = {"CAP_NOT_A_CAP"};
  EXPECT_FALSE(prepare_init_config(spec, {}));
}

TEST(PrepareInitConfig, RootlessBindsDevicesAndStdio) {
  CreateOptions options;
  options.mknod_devices = false;
  options.stdout_fd = 7;
  auto config = prepare_init_config(default_spec(), options);
  ASSERT_TRUE(config);
  EXPECT_EQ((*config)->stdio[1], 7);
  bool saw_bind = false;
  for (const auto& step : (*config)->mounts.steps)
    saw_bind = saw_bind || (step.kind == MountKind::kDeviceBind && step.target == "/dev/null");
  EXPECT_TRUE(saw_bind);
}

TEST(ExecErrorExitCode, FollowsShellConvention) {
  EXPECT_EQ(exec_error_exit_code(ENOENT), 127);
  EXPECT_EQ(exec_error_exit_code(EACCES), 126);
  EXPECT_EQ(exec_error_exit_code(ENOEXEC), 126);
}

}  // namespace
}  // namespace burrow::runtime

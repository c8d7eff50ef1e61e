#include "runtime/mount_plan.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "runtime/spec_defaults.h"

namespace burrow::runtime {
namespace {

const MountStep* find_step(const MountPlan& plan, const std::string& target) {
  for (const auto& step : plan.steps)
    if (step.target == target) return &step;
  return nullptr;
}

Spec default_spec() {
  DefaultSpecOptions options;
  options.rootfs = "/var/rootfs";
  options.args = {"sh"};
  return make_default_spec(options);
}

TEST(MountOptions, SplitsFlagsPropagationAndData) {
  MountOptions o = parse_mount_options({"nosuid", "strictatime", "mode=755", "size=65536k"});
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_NOSUID | MS_STRICTATIME));
  EXPECT_EQ(o.data, "mode=755,size=65536k");
  EXPECT_FALSE(o.bind);

  o = parse_mount_options({"rbind", "ro", "rprivate", "nodev", "z"});
  EXPECT_TRUE(o.bind);
  EXPECT_TRUE(o.recursive);
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_RDONLY | MS_NODEV));
  EXPECT_EQ(o.propagation, static_cast<unsigned long>(MS_PRIVATE | MS_REC));
  EXPECT_EQ(o.data, "");

  o = parse_mount_options({"ro", "rw", "nosuid", "suid", "exec"});
  EXPECT_EQ(o.flags, 0u);
}

TEST(CleanContainerPath, Normalizes) {
  EXPECT_EQ(*clean_container_path("/a//b/./c/"), "/a/b/c");
  EXPECT_EQ(*clean_container_path("/a/../../../etc"), "/etc");
  EXPECT_EQ(*clean_container_path("relative/x"), "/relative/x");
  EXPECT_EQ(*clean_container_path("/"), "/");
  EXPECT_EQ(*clean_container_path("/.."), "/");
  EXPECT_FALSE(clean_container_path("").has_value());
  EXPECT_FALSE(clean_container_path(std::string("/a\0b", 4)).has_value());
}

TEST(MountPlan, DefaultSpecWithMknod) {
  auto plan = build_mount_plan(default_spec(), {});
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->rootfs, "/var/rootfs");
  EXPECT_EQ(plan->root_propagation, static_cast<unsigned long>(MS_PRIVATE | MS_REC));
  const MountStep* proc = find_step(*plan, "/proc");
  ASSERT_NE(proc, nullptr);
  EXPECT_EQ(proc->kind, MountKind::kFilesystem);
  EXPECT_EQ(proc->fstype, "proc");
  EXPECT_EQ(proc->flags, static_cast<unsigned long>(MS_NOSUID | MS_NOEXEC | MS_NODEV));
  const MountStep* sys = find_step(*plan, "/sys");
  ASSERT_NE(sys, nullptr);
  EXPECT_TRUE(sys->flags & MS_RDONLY);
  const MountStep* cgroup = find_step(*plan, "/sys/fs/cgroup");
  ASSERT_NE(cgroup, nullptr);
  EXPECT_EQ(cgroup->kind, MountKind::kBind);
  EXPECT_TRUE(cgroup->optional);
  EXPECT_TRUE(cgroup->recursive);
  EXPECT_TRUE(cgroup->needs_attributes);

  const MountStep* null_device = find_step(*plan, "/dev/null");
  ASSERT_NE(null_device, nullptr);
  EXPECT_EQ(null_device->kind, MountKind::kDeviceNode);
  EXPECT_EQ(null_device->mode, static_cast<mode_t>(S_IFCHR | 0666));
  EXPECT_EQ(null_device->major, 1u);
  EXPECT_EQ(null_device->minor, 3u);

  const MountStep* ptmx = find_step(*plan, "/dev/ptmx");
  ASSERT_NE(ptmx, nullptr);
  EXPECT_EQ(ptmx->kind, MountKind::kSymlink);
  EXPECT_EQ(ptmx->source, "pts/ptmx");
  ASSERT_NE(find_step(*plan, "/dev/fd"), nullptr);
  EXPECT_EQ(find_step(*plan, "/dev/stderr")->source, "/proc/self/fd/2");
  EXPECT_FALSE(plan->masked_paths.empty());
  EXPECT_FALSE(plan->readonly_paths.empty());
}

TEST(MountPlan, OrderIsMountsThenDevicesThenLinks) {
  auto plan = build_mount_plan(default_spec(), {});
  ASSERT_TRUE(plan);
  auto index = [&](const std::string& target) {
    for (size_t i = 0; i < plan->steps.size(); ++i)
      if (plan->steps[i].target == target) return i;
    return plan->steps.size();
  };
  EXPECT_LT(index("/dev"), index("/dev/pts"));
  EXPECT_LT(index("/dev/pts"), index("/dev/null"));
  EXPECT_LT(index("/dev/null"), index("/dev/ptmx"));
}

TEST(MountPlan, RootlessBindsDevices) {
  MountPlanOptions options;
  options.bind_devices = true;
  auto plan = build_mount_plan(default_spec(), options);
  ASSERT_TRUE(plan);
  const MountStep* tty = find_step(*plan, "/dev/tty");
  ASSERT_NE(tty, nullptr);
  EXPECT_EQ(tty->kind, MountKind::kDeviceBind);
  EXPECT_EQ(tty->source, "/dev/tty");
}

TEST(MountPlan, BindMountReadonly) {
  Spec spec = default_spec();
  spec.mounts.push_back({"/data/../data/x", "bind", "/srv/x", {"rbind", "ro", "nosuid"}});
  auto plan = build_mount_plan(spec, {});
  ASSERT_TRUE(plan);
  const MountStep* data = find_step(*plan, "/data/x");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->kind, MountKind::kBind);
  EXPECT_EQ(data->source, "/srv/x");
  EXPECT_TRUE(data->needs_attributes);
  EXPECT_EQ(data->flags, static_cast<unsigned long>(MS_RDONLY | MS_NOSUID));
  EXPECT_FALSE(data->optional);
}

TEST(MountPlan, BindWithoutAttributes) {
  Spec spec = default_spec();
  spec.mounts.push_back({"/data", "none", "/srv", {"bind"}});
  auto plan = build_mount_plan(spec, {});
  ASSERT_TRUE(plan);
  const MountStep* data = find_step(*plan, "/data");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->kind, MountKind::kBind);
  EXPECT_FALSE(data->recursive);
  EXPECT_FALSE(data->needs_attributes);
}

TEST(MountPlan, Rejects) {
  Spec spec = default_spec();
  spec.mounts.push_back({"/data", "bind", "relative/src", {"rbind"}});
  EXPECT_FALSE(build_mount_plan(spec, {}));

  spec = default_spec();
  spec.mounts.push_back({"/", "tmpfs", "tmpfs", {}});
  EXPECT_FALSE(build_mount_plan(spec, {}));

  spec = default_spec();
  spec.root.path = "rootfs";
  EXPECT_FALSE(build_mount_plan(spec, {}));

  spec = default_spec();
  spec.linux.devices[0].path = "/etc/null";
  EXPECT_FALSE(build_mount_plan(spec, {}));

  spec = default_spec();
  spec.linux.devices[0].type = "x";
  EXPECT_FALSE(build_mount_plan(spec, {}));

  spec = default_spec();
  spec.linux.rootfs_propagation = "sideways";
  EXPECT_FALSE(build_mount_plan(spec, {}));
}

TEST(MountPlan, PropagationAndReadonlyRoot) {
  Spec spec = default_spec();
  spec.linux.rootfs_propagation = "rslave";
  spec.root.readonly = true;
  auto plan = build_mount_plan(spec, {});
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->root_propagation, static_cast<unsigned long>(MS_SLAVE | MS_REC));
  EXPECT_TRUE(plan->readonly_root);
}

TEST(MountPlan, NoDevLinksWithoutDevMount) {
  Spec spec = default_spec();
  spec.mounts.clear();
  spec.linux.devices.clear();
  auto plan = build_mount_plan(spec, {});
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->steps.empty());
}

}  // namespace
}  // namespace burrow::runtime

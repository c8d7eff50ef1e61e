// Runs in the CLI/engine process: Podman's container defaults as plain data.
#include "runtime/spec_defaults.h"

#include <sys/resource.h>

#include <algorithm>
#include <utility>

#include "runtime/capabilities.h"

namespace burrow::runtime {

namespace {

// Podman's default tmpfs size for /dev and /dev/shm ("65536k").
constexpr const char* kShmSize = "size=65536k";

struct RlimitName {
  const char* name;
  int resource;
};

constexpr RlimitName kRlimitNames[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

uint64_t host_hard_limit(int resource) {
  struct rlimit limit;
  if (::getrlimit(resource, &limit) != 0) return UINT64_MAX;
  return limit.rlim_max == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(limit.rlim_max);
}

Device char_device(std::string path, int64_t major, int64_t minor) {
  Device device;
  device.path = std::move(path);
  device.type = "c";
  device.major = major;
  device.minor = minor;
  device.file_mode = 0666;
  device.uid = 0;
  device.gid = 0;
  return device;
}

}  // namespace

int rlimit_resource_from_name(std::string_view name) {
  for (const auto& entry : kRlimitNames)
    if (name == entry.name) return entry.resource;
  return -1;
}

std::vector<Rlimit> default_rlimits() {
  return {{"RLIMIT_NOFILE", 1048576, 1048576}, {"RLIMIT_NPROC", 4194304, 4194304}};
}

void clamp_rlimits(std::vector<Rlimit>& rlimits, uint64_t (*hard_limit_for)(int resource)) {
  for (auto& limit : rlimits) {
    int resource = rlimit_resource_from_name(limit.type);
    if (resource < 0) continue;
    uint64_t host_hard = hard_limit_for(resource);
    limit.hard = std::min(limit.hard, host_hard);
    limit.soft = std::min(limit.soft, limit.hard);
  }
}

void clamp_rlimits_to_host(std::vector<Rlimit>& rlimits) {
  clamp_rlimits(rlimits, host_hard_limit);
}

std::vector<std::string> default_masked_paths() {
  return {"/proc/acpi",
          "/proc/kcore",
          "/proc/keys",
          "/proc/latency_stats",
          "/proc/timer_list",
          "/proc/timer_stats",
          "/proc/sched_debug",
          "/proc/scsi",
          "/proc/interrupts",
          "/sys/firmware",
          "/sys/fs/selinux",
          "/sys/dev/block",
          "/sys/devices/virtual/powercap"};
}

std::vector<std::string> default_readonly_paths() {
  return {"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
}

std::vector<std::string> default_env() {
  return {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
}

std::vector<Device> default_devices() {
  // The OCI runtime spec's default device set; /dev/ptmx, /dev/fd and the
  // stdio links are symlinks the executor adds beside them.
  return {char_device("/dev/null", 1, 3),    char_device("/dev/zero", 1, 5),
          char_device("/dev/full", 1, 7),    char_device("/dev/random", 1, 8),
          char_device("/dev/urandom", 1, 9), char_device("/dev/tty", 5, 0)};
}

std::vector<Mount> default_mounts(const DefaultSpecOptions& options) {
  std::vector<Mount> mounts;
  mounts.push_back({"/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}});
  mounts.push_back({"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", kShmSize}});
  Mount pts{"/dev/pts",
            "devpts",
            "devpts",
            {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}};
  if (options.tty_gid_mapped) pts.options.push_back("gid=5");
  mounts.push_back(std::move(pts));
  mounts.push_back(
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", kShmSize}});
  mounts.push_back({"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}});
  // A rootless container that shares the host's network namespace cannot
  // mount sysfs (the kernel wants the network namespace owned by the mounting
  // user namespace), so the host's /sys is bound read-only instead.
  bool bind_sys = options.rootless && (options.share_host_network || options.host_sysfs);
  if (bind_sys) {
    mounts.push_back(
        {"/sys", "bind", "/sys", {"rbind", "rprivate", "nosuid", "noexec", "nodev", "ro"}});
  } else {
    mounts.push_back({"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}});
  }
  switch (options.cgroup) {
    case DefaultSpecOptions::Cgroup::kNone:
      break;
    case DefaultSpecOptions::Cgroup::kBindReadonly:
      // The /sys bind above already carries the host's cgroup tree.
      if (!bind_sys)
        mounts.push_back({"/sys/fs/cgroup",
                          "bind",
                          "/sys/fs/cgroup",
                          {"rbind", "rprivate", "nosuid", "noexec", "nodev", "ro"}});
      break;
    case DefaultSpecOptions::Cgroup::kCgroup2:
      mounts.push_back({"/sys/fs/cgroup",
                        "cgroup2",
                        "cgroup2",
                        {"nosuid", "noexec", "nodev", "relatime", "ro"}});
      break;
  }
  return mounts;
}

Spec make_default_spec(const DefaultSpecOptions& options) {
  Spec spec;
  spec.root.path = options.rootfs;
  spec.root.readonly = options.readonly_rootfs;
  spec.hostname = options.hostname;

  Process& process = spec.process;
  process.args = options.args;
  process.env = default_env();
  process.cwd = "/";
  process.user.umask = 0022;
  std::vector<std::string> caps = default_capabilities();
  process.capabilities.bounding = caps;
  process.capabilities.effective = caps;
  process.capabilities.permitted = caps;
  process.rlimits = default_rlimits();
  clamp_rlimits_to_host(process.rlimits);

  spec.mounts = default_mounts(options);

  Linux& linux_config = spec.linux;
  for (const char* type : {"pid", "network", "ipc", "uts", "mount", "cgroup"}) {
    if (options.share_host_network && std::string_view(type) == "network") continue;
    linux_config.namespaces.push_back({type, ""});
  }
  linux_config.devices = default_devices();
  linux_config.masked_paths = default_masked_paths();
  linux_config.readonly_paths = default_readonly_paths();
  linux_config.rootfs_propagation = "rprivate";
  return spec;
}

}  // namespace burrow::runtime

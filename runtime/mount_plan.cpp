// Runs in the parent (CLI/monitor): builds the mount plan from the Spec.
#include "runtime/mount_plan.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <utility>

namespace burrow::runtime {

using base::fail;
using base::failf;

namespace {

struct FlagOption {
  const char* name;
  bool clear;  // "rw", "suid", ... clear the flag instead of setting it
  unsigned long flag;
};

constexpr FlagOption kFlagOptions[] = {
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},
    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},
    {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},
    {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
};

struct PropagationOption {
  const char* name;
  unsigned long flags;
};

constexpr PropagationOption kPropagationOptions[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

// Options that only mean something to other tools; they must not reach the
// kernel as file-system data.
constexpr const char* kIgnoredOptions[] = {"defaults", "tmpcopyup", "notmpcopyup", "copy",
                                           "nocopy",   "z",         "Z",           "U"};

Result<unsigned long> propagation_from_name(const std::string& name) {
  if (name.empty()) return MS_PRIVATE | MS_REC;
  for (const auto& option : kPropagationOptions)
    if (name == option.name) return option.flags;
  return failf(EINVAL, "unknown rootfsPropagation \"{}\"", name);
}

Result<MountStep> step_for_mount(const Mount& mount) {
  BURROW_TRY(std::string target, clean_container_path(mount.destination));
  if (target == "/") return fail(EINVAL, "a mount over / is not supported");
  MountOptions options = parse_mount_options(mount.options);
  MountStep step;
  step.target = std::move(target);
  step.propagation = options.propagation;
  step.data = options.data;
  step.flags = options.flags;
  step.recursive = options.recursive;
  if (mount.type == "bind" || options.bind) {
    if (mount.source.empty() || mount.source[0] != '/')
      return failf(EINVAL, "bind mount on {}: the source \"{}\" is not an absolute path",
                   mount.destination, mount.source);
    step.kind = MountKind::kBind;
    step.source = mount.source;
    step.needs_attributes = options.flags != 0;
  } else {
    if (mount.type.empty()) return failf(EINVAL, "mount on {} has no type", mount.destination);
    step.kind = MountKind::kFilesystem;
    step.fstype = mount.type;
    step.source = mount.source.empty() ? mount.type : mount.source;
  }
  // Its form depends on the host's cgroup version and delegation; a
  // container without it still runs (Podman behaves the same on hosts where
  // the cgroup mount cannot be made).
  step.optional = step.target == "/sys/fs/cgroup";
  return step;
}

Result<MountStep> step_for_device(const Device& device, bool bind_devices) {
  BURROW_TRY(std::string target, clean_container_path(device.path));
  if (target.rfind("/dev/", 0) != 0)
    return failf(EINVAL, "device {} is not under /dev", device.path);
  MountStep step;
  step.target = std::move(target);
  if (bind_devices) {
    step.kind = MountKind::kDeviceBind;
    step.source = device.path;
    return step;
  }
  mode_t type;
  if (device.type == "c" || device.type == "u") {
    type = S_IFCHR;
  } else if (device.type == "b") {
    type = S_IFBLK;
  } else if (device.type == "p") {
    type = S_IFIFO;
  } else {
    return failf(EINVAL, "device {} has unknown type \"{}\"", device.path, device.type);
  }
  if (device.major < 0 || device.minor < 0 || device.major > UINT32_MAX ||
      device.minor > UINT32_MAX)
    return failf(EINVAL, "device {} has invalid numbers {}:{}", device.path, device.major,
                 device.minor);
  step.kind = MountKind::kDeviceNode;
  step.mode = type | (device.file_mode.value_or(0666) & 07777);
  step.major = static_cast<uint32_t>(device.major);
  step.minor = static_cast<uint32_t>(device.minor);
  step.uid = device.uid.value_or(0);
  step.gid = device.gid.value_or(0);
  return step;
}

MountStep symlink_step(std::string target, std::string link_value) {
  MountStep step;
  step.kind = MountKind::kSymlink;
  step.target = std::move(target);
  step.source = std::move(link_value);
  return step;
}

Result<std::vector<std::string>> clean_all(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& path : paths) {
    BURROW_TRY(std::string clean, clean_container_path(path));
    out.push_back(std::move(clean));
  }
  return out;
}

}  // namespace

MountOptions parse_mount_options(const std::vector<std::string>& options) {
  MountOptions out;
  for (const auto& option : options) {
    if (option == "bind" || option == "rbind") {
      out.bind = true;
      out.recursive = out.recursive || option == "rbind";
      continue;
    }
    auto flag = std::find_if(std::begin(kFlagOptions), std::end(kFlagOptions),
                             [&](const FlagOption& f) { return option == f.name; });
    if (flag != std::end(kFlagOptions)) {
      if (flag->clear) {
        out.flags &= ~flag->flag;
      } else {
        out.flags |= flag->flag;
      }
      continue;
    }
    auto propagation = std::find_if(std::begin(kPropagationOptions), std::end(kPropagationOptions),
                                    [&](const PropagationOption& p) { return option == p.name; });
    if (propagation != std::end(kPropagationOptions)) {
      out.propagation = propagation->flags;
      continue;
    }
    if (std::find(std::begin(kIgnoredOptions), std::end(kIgnoredOptions), option) !=
        std::end(kIgnoredOptions))
      continue;
    if (!out.data.empty()) out.data += ',';
    out.data += option;
  }
  return out;
}

Result<std::string> clean_container_path(std::string_view path) {
  if (path.empty()) return fail(EINVAL, "empty path");
  if (path.find('\0') != std::string_view::npos) return fail(EINVAL, "path contains a NUL byte");
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(pos, end - pos);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    pos = end + 1;
  }
  std::string out;
  for (auto part : parts) {
    out += '/';
    out += part;
  }
  return out.empty() ? std::string("/") : out;
}

Result<MountPlan> build_mount_plan(const Spec& spec, const MountPlanOptions& options) {
  MountPlan plan;
  if (spec.root.path.empty() || spec.root.path[0] != '/')
    return failf(EINVAL, "root.path \"{}\" is not an absolute path", spec.root.path);
  plan.rootfs = spec.root.path;
  plan.readonly_root = spec.root.readonly;
  BURROW_TRY(plan.root_propagation, propagation_from_name(spec.linux.rootfs_propagation));

  bool dev_mounted = false, pts_mounted = false;
  for (const auto& mount : spec.mounts) {
    auto step = step_for_mount(mount);
    if (!step) return tl::unexpected(step.error().with_context("mount " + mount.destination));
    dev_mounted = dev_mounted || step->target == "/dev";
    pts_mounted = pts_mounted || step->target == "/dev/pts";
    plan.steps.push_back(std::move(*step));
  }
  for (const auto& device : spec.linux.devices) {
    BURROW_TRY(MountStep step, step_for_device(device, options.bind_devices));
    plan.steps.push_back(std::move(step));
  }
  // The links every Linux program expects in /dev (OCI runtime spec, "Default
  // Devices" and "Dev symbolic links"). Only added on a /dev of our own: an
  // image's /dev is left as the image has it.
  if (dev_mounted) {
    plan.steps.push_back(symlink_step("/dev/fd", "/proc/self/fd"));
    plan.steps.push_back(symlink_step("/dev/stdin", "/proc/self/fd/0"));
    plan.steps.push_back(symlink_step("/dev/stdout", "/proc/self/fd/1"));
    plan.steps.push_back(symlink_step("/dev/stderr", "/proc/self/fd/2"));
    if (pts_mounted) plan.steps.push_back(symlink_step("/dev/ptmx", "pts/ptmx"));
  }
  BURROW_TRY(plan.masked_paths, clean_all(spec.linux.masked_paths));
  BURROW_TRY(plan.readonly_paths, clean_all(spec.linux.readonly_paths));
  return plan;
}

}  // namespace burrow::runtime

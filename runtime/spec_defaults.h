// The configuration Podman gives a container by default (mounts, devices,
// masked paths, namespaces, rlimits), as plain data. The engine starts from
// make_default_spec() and then applies the image config and the user's flags.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "runtime/spec.h"

namespace burrow::runtime {

struct DefaultSpecOptions {
  std::string rootfs;               // root.path
  std::vector<std::string> args;    // process.args
  std::string hostname;             // empty: no hostname is set
  bool share_host_network = false;  // no network namespace
  // The network namespace joined belongs to another user namespace, so
  // sysfs is bound from the host rather than mounted (as with the host's).
  bool host_sysfs = false;
  bool readonly_rootfs = false;
  // Rootless: device nodes cannot be created, so the host's nodes are
  // bind-mounted (this flag only shapes the spec; CreateOptions decides).
  bool rootless = false;
  // devpts "gid=5" fails with EINVAL when gid 5 is not mapped in the user
  // namespace; the caller knows its id map.
  bool tty_gid_mapped = true;
  // How /sys/fs/cgroup appears. On cgroup v1 and hybrid hosts (ours) a
  // read-only recursive bind of the host's tree is the robust choice; the
  // executor skips this mount if it fails (see MountStep::optional).
  enum class Cgroup { kNone, kBindReadonly, kCgroup2 } cgroup = Cgroup::kBindReadonly;
};

// Podman's default capability set is owned by capabilities.h
// (default_capabilities()); the spec built here takes it for every set but
// ambient.
Spec make_default_spec(const DefaultSpecOptions& options);

// The mounts, devices, masked and read-only paths of make_default_spec(),
// exposed so the engine can rebuild pieces (e.g. --privileged drops masks).
std::vector<Mount> default_mounts(const DefaultSpecOptions& options);
std::vector<Device> default_devices();
std::vector<std::string> default_masked_paths();
std::vector<std::string> default_readonly_paths();
std::vector<std::string> default_env();

// Podman's default ulimits: nofile 1048576 and nproc 4194304.
std::vector<Rlimit> default_rlimits();

// Lowers each limit to the host's hard limit for that resource (read with
// getrlimit in the caller's process): setrlimit above the hard limit fails
// with EPERM without CAP_SYS_RESOURCE in the initial user namespace. Unknown
// resource names are left alone (the executor rejects them).
void clamp_rlimits_to_host(std::vector<Rlimit>& rlimits);
// The same with an explicit hard-limit lookup, for tests.
void clamp_rlimits(std::vector<Rlimit>& rlimits, uint64_t (*hard_limit_for)(int resource));

// "RLIMIT_NOFILE" -> RLIMIT_NOFILE; -1 when unknown.
int rlimit_resource_from_name(std::string_view name);

}  // namespace burrow::runtime

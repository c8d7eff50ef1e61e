// JSON for the OCI runtime configuration (config-schema of the runtime spec):
// field names follow the spec; empty optional fields are left out so the file
// reads like one written by Podman.
#include "runtime/spec.h"

#include <algorithm>

namespace burrow::runtime {

using nlohmann::json;

namespace {

template <typename T>
void get_if_present(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) it->get_to(out);
}

template <typename T>
void get_optional(const json& j, const char* key, std::optional<T>& out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) out = it->get<T>();
}

template <typename T>
void put_nonempty(json& j, const char* key, const T& value) {
  if (!value.empty()) j[key] = value;
}

template <typename T>
void put_optional(json& j, const char* key, const std::optional<T>& value) {
  if (value) j[key] = *value;
}

}  // namespace

bool Spec::has_namespace(const std::string& type) const {
  return std::any_of(linux.namespaces.begin(), linux.namespaces.end(),
                     [&](const Namespace& ns) { return ns.type == type; });
}

void to_json(json& j, const User& user) {
  j = json{{"uid", user.uid}, {"gid", user.gid}};
  put_nonempty(j, "additionalGids", user.additional_gids);
  put_optional(j, "umask", user.umask);
}

void from_json(const json& j, User& user) {
  get_if_present(j, "uid", user.uid);
  get_if_present(j, "gid", user.gid);
  get_if_present(j, "additionalGids", user.additional_gids);
  get_optional(j, "umask", user.umask);
}

void to_json(json& j, const Capabilities& caps) {
  j = json::object();
  put_nonempty(j, "bounding", caps.bounding);
  put_nonempty(j, "effective", caps.effective);
  put_nonempty(j, "inheritable", caps.inheritable);
  put_nonempty(j, "permitted", caps.permitted);
  put_nonempty(j, "ambient", caps.ambient);
}

void from_json(const json& j, Capabilities& caps) {
  get_if_present(j, "bounding", caps.bounding);
  get_if_present(j, "effective", caps.effective);
  get_if_present(j, "inheritable", caps.inheritable);
  get_if_present(j, "permitted", caps.permitted);
  get_if_present(j, "ambient", caps.ambient);
}

void to_json(json& j, const Rlimit& limit) {
  j = json{{"type", limit.type}, {"hard", limit.hard}, {"soft", limit.soft}};
}

void from_json(const json& j, Rlimit& limit) {
  get_if_present(j, "type", limit.type);
  get_if_present(j, "hard", limit.hard);
  get_if_present(j, "soft", limit.soft);
}

void to_json(json& j, const Process& process) {
  j = json::object();
  if (process.terminal) j["terminal"] = true;
  j["user"] = process.user;
  j["args"] = process.args;
  put_nonempty(j, "env", process.env);
  j["cwd"] = process.cwd;
  json caps = process.capabilities;
  if (!caps.empty()) j["capabilities"] = caps;
  put_nonempty(j, "rlimits", process.rlimits);
  if (process.no_new_privileges) j["noNewPrivileges"] = true;
  put_optional(j, "oomScoreAdj", process.oom_score_adj);
}

void from_json(const json& j, Process& process) {
  get_if_present(j, "terminal", process.terminal);
  get_if_present(j, "user", process.user);
  get_if_present(j, "args", process.args);
  get_if_present(j, "env", process.env);
  get_if_present(j, "cwd", process.cwd);
  get_if_present(j, "capabilities", process.capabilities);
  get_if_present(j, "rlimits", process.rlimits);
  get_if_present(j, "noNewPrivileges", process.no_new_privileges);
  get_optional(j, "oomScoreAdj", process.oom_score_adj);
}

void to_json(json& j, const Root& root) {
  j = json{{"path", root.path}};
  if (root.readonly) j["readonly"] = true;
}

void from_json(const json& j, Root& root) {
  get_if_present(j, "path", root.path);
  get_if_present(j, "readonly", root.readonly);
}

void to_json(json& j, const Mount& mount) {
  j = json{{"destination", mount.destination}};
  put_nonempty(j, "type", mount.type);
  put_nonempty(j, "source", mount.source);
  put_nonempty(j, "options", mount.options);
}

void from_json(const json& j, Mount& mount) {
  get_if_present(j, "destination", mount.destination);
  get_if_present(j, "type", mount.type);
  get_if_present(j, "source", mount.source);
  get_if_present(j, "options", mount.options);
}

void to_json(json& j, const Namespace& ns) {
  j = json{{"type", ns.type}};
  put_nonempty(j, "path", ns.path);
}

void from_json(const json& j, Namespace& ns) {
  get_if_present(j, "type", ns.type);
  get_if_present(j, "path", ns.path);
}

void to_json(json& j, const IdMapping& map) {
  j = json{{"containerID", map.container_id}, {"hostID", map.host_id}, {"size", map.size}};
}

void from_json(const json& j, IdMapping& map) {
  get_if_present(j, "containerID", map.container_id);
  get_if_present(j, "hostID", map.host_id);
  get_if_present(j, "size", map.size);
}

void to_json(json& j, const Device& device) {
  j = json{{"path", device.path}, {"type", device.type}};
  // A fifo ("p") has no device numbers.
  if (device.type != "p") {
    j["major"] = device.major;
    j["minor"] = device.minor;
  }
  put_optional(j, "fileMode", device.file_mode);
  put_optional(j, "uid", device.uid);
  put_optional(j, "gid", device.gid);
}

void from_json(const json& j, Device& device) {
  get_if_present(j, "path", device.path);
  get_if_present(j, "type", device.type);
  get_if_present(j, "major", device.major);
  get_if_present(j, "minor", device.minor);
  get_optional(j, "fileMode", device.file_mode);
  get_optional(j, "uid", device.uid);
  get_optional(j, "gid", device.gid);
}

void to_json(json& j, const SeccompArg& arg) {
  j = json{{"index", arg.index}, {"value", arg.value}, {"op", arg.op}};
  if (arg.value_two != 0) j["valueTwo"] = arg.value_two;
}

void from_json(const json& j, SeccompArg& arg) {
  get_if_present(j, "index", arg.index);
  get_if_present(j, "value", arg.value);
  get_if_present(j, "valueTwo", arg.value_two);
  get_if_present(j, "op", arg.op);
}

void to_json(json& j, const SeccompSyscall& syscall) {
  j = json{{"names", syscall.names}, {"action", syscall.action}};
  put_optional(j, "errnoRet", syscall.errno_ret);
  put_nonempty(j, "args", syscall.args);
}

void from_json(const json& j, SeccompSyscall& syscall) {
  get_if_present(j, "names", syscall.names);
  get_if_present(j, "action", syscall.action);
  get_optional(j, "errnoRet", syscall.errno_ret);
  get_if_present(j, "args", syscall.args);
}

void to_json(json& j, const Seccomp& seccomp) {
  j = json{{"defaultAction", seccomp.default_action}};
  put_optional(j, "defaultErrnoRet", seccomp.default_errno_ret);
  put_nonempty(j, "architectures", seccomp.architectures);
  put_nonempty(j, "flags", seccomp.flags);
  put_nonempty(j, "syscalls", seccomp.syscalls);
}

void from_json(const json& j, Seccomp& seccomp) {
  get_if_present(j, "defaultAction", seccomp.default_action);
  get_optional(j, "defaultErrnoRet", seccomp.default_errno_ret);
  get_if_present(j, "architectures", seccomp.architectures);
  get_if_present(j, "flags", seccomp.flags);
  get_if_present(j, "syscalls", seccomp.syscalls);
}

void to_json(json& j, const Linux& linux_config) {
  j = json::object();
  put_nonempty(j, "namespaces", linux_config.namespaces);
  put_nonempty(j, "uidMappings", linux_config.uid_mappings);
  put_nonempty(j, "gidMappings", linux_config.gid_mappings);
  put_nonempty(j, "devices", linux_config.devices);
  put_nonempty(j, "maskedPaths", linux_config.masked_paths);
  put_nonempty(j, "readonlyPaths", linux_config.readonly_paths);
  put_nonempty(j, "sysctl", linux_config.sysctl);
  put_optional(j, "seccomp", linux_config.seccomp);
  put_nonempty(j, "rootfsPropagation", linux_config.rootfs_propagation);
  put_nonempty(j, "cgroupsPath", linux_config.cgroups_path);
}

void from_json(const json& j, Linux& linux_config) {
  get_if_present(j, "namespaces", linux_config.namespaces);
  get_if_present(j, "uidMappings", linux_config.uid_mappings);
  get_if_present(j, "gidMappings", linux_config.gid_mappings);
  get_if_present(j, "devices", linux_config.devices);
  get_if_present(j, "maskedPaths", linux_config.masked_paths);
  get_if_present(j, "readonlyPaths", linux_config.readonly_paths);
  get_if_present(j, "sysctl", linux_config.sysctl);
  get_optional(j, "seccomp", linux_config.seccomp);
  get_if_present(j, "rootfsPropagation", linux_config.rootfs_propagation);
  get_if_present(j, "cgroupsPath", linux_config.cgroups_path);
}

void to_json(json& j, const Spec& spec) {
  j = json{{"ociVersion", spec.oci_version}, {"process", spec.process}, {"root", spec.root}};
  put_nonempty(j, "hostname", spec.hostname);
  put_nonempty(j, "mounts", spec.mounts);
  j["linux"] = spec.linux;
  put_nonempty(j, "annotations", spec.annotations);
}

void from_json(const json& j, Spec& spec) {
  get_if_present(j, "ociVersion", spec.oci_version);
  get_if_present(j, "process", spec.process);
  get_if_present(j, "root", spec.root);
  get_if_present(j, "hostname", spec.hostname);
  get_if_present(j, "mounts", spec.mounts);
  get_if_present(j, "linux", spec.linux);
  get_if_present(j, "annotations", spec.annotations);
}

}  // namespace burrow::runtime

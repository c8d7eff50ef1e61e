// The OCI runtime-spec configuration (config.json) as plain data. The engine
// builds it, writes it to the bundle, and the built-in runtime executes it;
// an external OCI runtime (runc, crun) can run the same file.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace burrow::runtime {

struct User {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;
  std::optional<uint32_t> umask;
};

struct Capabilities {
  std::vector<std::string> bounding, effective, inheritable, permitted, ambient;
};

struct Rlimit {
  std::string type;  // "RLIMIT_NOFILE"
  uint64_t hard = 0;
  uint64_t soft = 0;
};

struct Process {
  bool terminal = false;
  User user;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd = "/";
  Capabilities capabilities;
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;
  std::optional<int> oom_score_adj;
};

struct Root {
  std::string path;
  bool readonly = false;
};

struct Mount {
  std::string destination;
  std::string type;
  std::string source;
  std::vector<std::string> options;
};

struct Namespace {
  std::string type;  // pid, network, mount, ipc, uts, user, cgroup
  std::string path;  // join this namespace instead of creating one
};

struct IdMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
};

struct Device {
  std::string path;
  std::string type;  // c, b, p
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint32_t> file_mode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
};

struct SeccompArg {
  uint32_t index = 0;
  uint64_t value = 0;
  uint64_t value_two = 0;
  std::string op;  // SCMP_CMP_EQ, ...
};

struct SeccompSyscall {
  std::vector<std::string> names;
  std::string action;  // SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, ...
  std::optional<uint32_t> errno_ret;
  std::vector<SeccompArg> args;
};

struct Seccomp {
  std::string default_action;
  std::optional<uint32_t> default_errno_ret;
  std::vector<std::string> architectures;  // SCMP_ARCH_X86_64, ...
  std::vector<std::string> flags;
  std::vector<SeccompSyscall> syscalls;
};

struct Linux {
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uid_mappings;
  std::vector<IdMapping> gid_mappings;
  std::vector<Device> devices;
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  std::map<std::string, std::string> sysctl;
  std::optional<Seccomp> seccomp;
  std::string rootfs_propagation;
  std::string cgroups_path;
};

struct Spec {
  std::string oci_version = "1.0.2-dev";
  Process process;
  Root root;
  std::string hostname;
  std::vector<Mount> mounts;
  Linux linux;
  std::map<std::string, std::string> annotations;

  bool has_namespace(const std::string& type) const;
};

// JSON in the OCI field names ("ociVersion", "noNewPrivileges", ...).
// Empty optional fields are omitted.
void to_json(nlohmann::json& j, const User& user);
void from_json(const nlohmann::json& j, User& user);
void to_json(nlohmann::json& j, const Capabilities& caps);
void from_json(const nlohmann::json& j, Capabilities& caps);
void to_json(nlohmann::json& j, const Rlimit& limit);
void from_json(const nlohmann::json& j, Rlimit& limit);
void to_json(nlohmann::json& j, const Process& process);
void from_json(const nlohmann::json& j, Process& process);
void to_json(nlohmann::json& j, const Root& root);
void from_json(const nlohmann::json& j, Root& root);
void to_json(nlohmann::json& j, const Mount& mount);
void from_json(const nlohmann::json& j, Mount& mount);
void to_json(nlohmann::json& j, const Namespace& ns);
void from_json(const nlohmann::json& j, Namespace& ns);
void to_json(nlohmann::json& j, const IdMapping& map);
void from_json(const nlohmann::json& j, IdMapping& map);
void to_json(nlohmann::json& j, const Device& device);
void from_json(const nlohmann::json& j, Device& device);
void to_json(nlohmann::json& j, const SeccompArg& arg);
void from_json(const nlohmann::json& j, SeccompArg& arg);
void to_json(nlohmann::json& j, const SeccompSyscall& syscall);
void from_json(const nlohmann::json& j, SeccompSyscall& syscall);
void to_json(nlohmann::json& j, const Linux& linux_config);
void from_json(const nlohmann::json& j, Linux& linux_config);
void to_json(nlohmann::json& j, const Spec& spec);
void from_json(const nlohmann::json& j, Spec& spec);
void to_json(nlohmann::json& j, const Seccomp& seccomp);
void from_json(const nlohmann::json& j, Seccomp& seccomp);

}  // namespace burrow::runtime

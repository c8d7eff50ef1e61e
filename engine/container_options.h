// What a user asks for when creating a container (the flags of run/create),
// parsed and validated before anything is created.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/healthcheck_config.h"
#include "rootless-net/network_mode.h"
#include "rootless-net/port_spec.h"

namespace burrow::engine {

struct BindVolume {
  std::string source;  // absolute host path
  std::string destination;
  bool readonly = false;
  std::string propagation;  // "", rprivate, rshared, rslave, ...
};

using net::PortMapping;

struct Ulimit {
  std::string type;  // RLIMIT_NOFILE
  uint64_t soft = 0;
  uint64_t hard = 0;
};

struct CreateOptions {
  std::string image;
  std::vector<std::string> command;
  std::optional<std::vector<std::string>> entrypoint;
  std::vector<std::string> env;  // KEY=VALUE after -e KEY lookups
  std::optional<std::string> workdir;
  std::optional<std::string> user;
  std::optional<std::string> hostname;
  std::optional<std::string> name;
  bool read_only = false;
  bool read_only_tmpfs = true;  // with read_only: tmpfs on /tmp, /var/tmp and /run
  bool interactive = false;
  bool tty = false;
  bool remove = false;
  net::NetworkMode network;  // --network, with the networks joined
  // The container's /etc/hosts and /etc/resolv.conf.
  std::vector<std::string> add_hosts;  // --add-host NAME:IP
  std::vector<std::string> dns_servers, dns_search, dns_options;
  bool no_hosts = false;  // --no-hosts: the image's /etc/hosts is left alone
  std::vector<BindVolume> volumes;
  std::vector<PortMapping> ports;
  bool publish_all = false;  // -P: resolved into ports at create, not stored
  std::vector<std::string> cap_add;
  std::vector<std::string> cap_drop;
  std::optional<std::string> seccomp_profile;  // path, or "unconfined"
  bool no_new_privileges = false;
  bool privileged = false;
  std::vector<Ulimit> ulimits;
  std::vector<std::string> labels;  // KEY=VALUE
  // --init: a small init (catatonit) runs as the container's pid 1, passes
  // signals on and reaps zombies. The path is resolved on the host at create.
  bool init = false;
  std::string init_path;

  // Lifecycle: what the monitor and later commands do with the container.
  bool detach = false;
  std::string log_driver = "k8s-file";  // k8s-file | json-file | none
  uint64_t log_max_size = 0;            // bytes; 0: unlimited
  std::string restart_policy = "no";    // no | on-failure | always | unless-stopped
  int restart_max = 0;                  // on-failure:N; 0: no limit
  std::optional<std::string> stop_signal;
  int stop_timeout = 10;  // seconds between the stop signal and SIGKILL

  // The --health-* flags; create_container merges them with the image's
  // Healthcheck into `healthcheck`, which is what is stored.
  HealthOverrides health_flags;
  std::optional<HealthConfig> healthcheck;
};

// The options as stored with a container, so that `start` can rebuild its
// spec later. from_json fails with a message on a record it cannot read.
std::string options_to_json(const CreateOptions& options);
Result<CreateOptions> options_from_json(const std::string& text);

// Where --init's program is mounted in the container.
inline constexpr const char* kContainerInitPath = "/run/burrow-init";

// The host path of the init for --init: `requested` (--init-path) when
// given, else catatonit where Debian and Podman install it. An Error naming
// the package when there is none.
Result<std::string> resolve_init_path(const std::optional<std::string>& requested);

// "--restart no|on-failure[:N]|always|unless-stopped".
Status parse_restart_policy(const std::string& spec, CreateOptions& options);

// "--log-opt max-size=10m" and "--log-driver"; unknown options are errors.
Status parse_log_option(const std::string& spec, CreateOptions& options);
Result<std::string> parse_log_driver(const std::string& driver);

// "-v SRC:DST[:OPTIONS]". Relative sources are made absolute against the
// working directory; a source without a slash would be a named volume.
Result<BindVolume> parse_volume(const std::string& spec);

// "--ulimit nofile=1024:2048" or "nofile=1024".
Result<Ulimit> parse_ulimit(const std::string& spec);

// "-e KEY=VALUE" as given, "-e KEY" takes the value from this process's
// environment (and is dropped when unset), as Podman does.
std::optional<std::string> resolve_env_flag(const std::string& flag);

// Reads an --env-file: KEY=VALUE lines, # comments, bare KEY from the host.
Result<std::vector<std::string>> read_env_file(const std::string& path);

}  // namespace burrow::engine

// Starts a container under its monitor. The CLI forks a child that clones
// the container init, starts it, and then execs burrow-monitor, so the init
// is the monitor's child while the monitor runs none of the CLI's code. With
// process.terminal the container's stdio is a pty whose master the monitor
// gets as --tty-fd, instead of pipes.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "rootless-net/route_watch.h"
#include "runtime/linux_container.h"
#include "runtime/spec.h"

namespace burrow::engine {

struct MonitorLaunch {
  std::string monitor_path;  // from find_monitor()
  std::string container_id;
  const runtime::Spec* spec = nullptr;
  runtime::CreateOptions create;  // seccomp, devices; its stdio fds are set here
  // The container's stdin: -1 gives it /dev/null; kPipe a pipe whose write
  // end the monitor keeps for attach clients.
  static constexpr int kPipe = -2;
  int stdin_fd = -1;
  // A foreground CLI's stdout and stderr (-1: none): the monitor copies
  // the container's output there as well as into the log.
  int forward_stdout = -1, forward_stderr = -1;
  bool foreground = false;  // keep a sync socket: the CLI waits and cleans up
  // With spec->process.terminal: send the CLI a copy of the pty master too
  // (a foreground session writes its input and resizes there directly).
  bool return_console = false;
  std::string log_driver, log_path;
  uint64_t log_max_size = 0;
  std::string exit_file, attach_socket;
  std::vector<std::string> exit_command;
  // Run every interval while the container runs (0 or empty: never).
  int64_t healthcheck_interval_ms = 0;
  std::vector<std::string> healthcheck_command;
  // The network's helper is still configuring the namespace: the container
  // is created meanwhile, and started once this process (a pidfd) has
  // exited, leaving network_ready_file behind (it names no file on failure).
  int network_pidfd = -1;
  std::string network_ready_file;
  // When valid, the container starts as soon as this socket (see
  // net::create_watched_netns_file) has reported default routes for every
  // family in network_routes, even if the helper is still running.
  int network_route_fd = -1;
  net::DefaultRoutes network_routes;
};

struct SpawnedMonitor {
  pid_t monitor_pid = -1;
  pid_t init_pid = -1;
  // Foreground only: the monitor writes "<exit code>\n" here when the
  // container has exited, and waits for "A" (we clean up) before exiting.
  base::UniqueFd sync;
  // With return_console: the container's pty master (the monitor holds it
  // too, and reads the container's output from it).
  base::UniqueFd console;
};

// Returns once the container's process runs (its execve succeeded). A
// failed start comes back as the runtime reported it: exit_status 127 for
// a missing command, 126 for one that cannot be executed, 125 otherwise.
Result<SpawnedMonitor> spawn_monitor(const MonitorLaunch& launch);

// burrow-monitor beside `self` (this executable), or in ../libexec/burrow.
Result<std::string> find_monitor(const std::string& self);

// This executable's path, for the monitor's exit command.
Result<std::string> self_executable();

}  // namespace burrow::engine

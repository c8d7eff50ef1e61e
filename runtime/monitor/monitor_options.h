// The command line of burrow-monitor, as the burrow CLI writes it. Parsed in
// the monitor process; a parse error makes the monitor exit 125 before it
// touches anything.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

#include "runtime/monitor/log_writer.h"

namespace burrow::monitor {

inline constexpr int kMaxExitCommandArgs = 128;

struct MonitorOptions {
  const char* id = "";
  pid_t pid = -1;  // the container init, already a child of the monitor
  // Read ends of the container's output: two pipes, or one pty master.
  int stdout_fd = -1;
  int stderr_fd = -1;
  int tty_fd = -1;
  int stdin_fd = -1;  // write end of the container's stdin pipe
  LogDriver log_driver = LogDriver::kK8sFile;
  const char* log_path = nullptr;
  uint64_t log_max_size = 0;  // 0: unlimited
  const char* exit_file = nullptr;
  const char* attach_socket = nullptr;
  int forward_stdout_fd = -1;
  int forward_stderr_fd = -1;
  int sync_fd = -1;
  // argv of the exit command, null-terminated; exit_command_count == 0: none.
  const char* exit_command[kMaxExitCommandArgs + 1] = {};
  int exit_command_count = 0;
  // The healthcheck command, run every healthcheck_interval_ms while the
  // container runs (never two at once); 0 or no command: never.
  long long healthcheck_interval_ms = 0;
  const char* healthcheck_command[kMaxExitCommandArgs + 1] = {};
  int healthcheck_command_count = 0;
};

// Fills *options from argv ("--name value" or "--name=value"). On failure
// returns false with a one-line message in `error`. Paths must be absolute:
// the monitor changes its directory to "/" so that it never keeps the
// caller's working directory (and the mount under it) busy.
bool parse_monitor_options(int argc, char* const* argv, MonitorOptions* options, char* error,
                           size_t error_size);

}  // namespace burrow::monitor

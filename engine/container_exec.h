// `burrow exec`: one more process in a running container, with the
// container's environment, capabilities, limits and seccomp filter.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"
#include "runtime/exec_process.h"

namespace burrow::engine {

struct ExecRequest {
  std::string container;  // name or id (prefix)
  std::vector<std::string> command;
  std::vector<std::string> env;  // KEY=VALUE added to the container's
  std::optional<std::string> user;
  std::optional<std::string> workdir;
  bool interactive = false;
  bool detach = false;
  bool privileged = false;
  // A pty from the container's /dev/pts as the process's stdio (TERM=xterm
  // unless set); its master comes back in ExecProcess::take_console().
  bool tty = false;
  runtime::ConsoleSize console_size;  // tty: its initial size
  // Where its output goes instead of this process's stdout and stderr
  // (-1: there); healthchecks capture it.
  int stdout_fd = -1, stderr_fd = -1;
  // Records exec and exec_died events (healthcheck runs do not).
  bool record_events = true;
};

// Starts the process and returns it, running, to the caller, who waits for
// it (runtime::wait_exec) or releases it. Errors as exec_in_container's.
Result<runtime::ExecProcess> start_exec(Engine& engine, const ExecRequest& request);

// The process's exit code in the foreground; 0 once it started with detach.
// Errors: 125 when the container is not running or setup fails, 126/127
// when the command cannot be run or found.
Result<int> exec_in_container(Engine& engine, const ExecRequest& request);

// The exec_died event, for callers that wait for a start_exec process
// themselves (exec_in_container records it).
void record_exec_died(Engine& engine, const std::string& container, int exit_code);

}  // namespace burrow::engine

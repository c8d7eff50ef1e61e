// Running helper programs (newuidmap, fuse-overlayfs, ...) from the CLI process.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace burrow::base {

struct ProcessOutput {
  int exit_code = 0;   // 128+signal when killed by a signal
  std::string output;  // stdout and stderr together, for error messages
};

// Runs argv[0] (looked up in PATH when it has no slash), waits for it and
// captures its output. Fails only when the program could not be started.
Result<ProcessOutput> run_process(const std::vector<std::string>& argv);

// Looks a program up in PATH (and the usual sbin dirs); empty when absent.
std::string find_program(const std::string& name);

// Waits for a child, retrying on EINTR; returns the shell-style exit code.
Result<int> wait_exit_code(pid_t pid);

// Field 22 of /proc/PID/stat ("" when there is no such process); with the
// pid it identifies a process even after the pid has been reused.
std::string process_start_time(pid_t pid);

// A pidfd for `pid` (invalid when the process is gone or pidfds are not
// supported): unlike a pid, it cannot come to mean another process.
UniqueFd open_pidfd(pid_t pid);

// Waits up to timeout_ms (-1: forever) for the process behind a pidfd.
bool poll_exit(const UniqueFd& pidfd, int timeout_ms);

// Waits up to timeout_ms for a process that need not be our child to exit.
bool wait_process_exit(pid_t pid, int timeout_ms);

}  // namespace burrow::base

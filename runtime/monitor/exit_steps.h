// What burrow-monitor does once its container has exited: record the exit
// code, tell a waiting CLI, and run the exit command when no CLI took over
// the cleanup. Runs in the monitor process.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace burrow::monitor {

// WEXITSTATUS, or 128 + the signal for a process killed by one (the shell's
// convention, which `burrow run` passes on as its own exit code).
int exit_code_from_status(int wait_status);

// Writes "<exit code> <finish time in Unix nanoseconds>\n" to `path`
// atomically (path.tmp, then rename): a reader sees no file or the whole
// file. Not synced: see write_exit_file. Returns 0 or an errno.
int write_exit_file(const char* path, int exit_code, int64_t finish_ns);

// Writes "<exit code>\n" to the CLI's end of `sync_fd` and waits up to
// timeout_ms for one byte back. True only for 'A': the CLI is alive and
// does the cleanup itself. EOF, an error, a timeout or any other byte mean
// it is gone.
bool cli_took_over(int sync_fd, int exit_code, int timeout_ms);

// Runs argv (argv[0] an absolute path) with stdin, stdout and stderr on
// /dev/null, no other descriptors, default signal handling and the
// monitor's environment, and waits for it. Returns its wait status, or -1
// when it could not be started.
int run_exit_command(const char* const* argv);

// Starts argv as run_exit_command does, without waiting; returns its pid,
// or -1 when it could not be forked.
pid_t start_command(const char* const* argv);

}  // namespace burrow::monitor

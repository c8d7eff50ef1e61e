// The processes of a running container, found through /proc: every process
// in the pid namespace of its init. Exec'd processes are in that namespace
// too although their parent is outside, so the process tree alone would
// miss them.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace burrow::engine {

using base::Result;
using base::Status;

// Every pid in /proc, in ascending order.
std::vector<pid_t> all_pids();

// A process's arguments from /proc/PID/cmdline (empty for kernel threads,
// zombies and processes that are gone).
std::vector<std::string> process_args(pid_t pid);

// Host pids of the processes sharing init_pid's pid namespace, init first.
Result<std::vector<pid_t>> container_pids(pid_t init_pid);

// What /proc/PID/stat and /proc/PID/status say about one process.
struct ProcessInfo {
  pid_t host_pid = 0;
  pid_t pid = 0;            // in the container's pid namespace
  pid_t ppid = 0;           // in the container's namespace; 0 for init or a parent outside
  uid_t uid = 0, ruid = 0;  // effective and real, as this process sees them
  gid_t gid = 0, rgid = 0;
  pid_t pgid = 0;        // in the container's namespace
  int seccomp_mode = 0;  // 0 disabled, 1 strict, 2 filter
  char state = '?';
  std::string comm;
  std::vector<std::string> args;  // empty for kernel threads and zombies
  int64_t start_ticks = 0;        // since boot, in clock ticks
  int64_t cpu_ticks = 0;          // user + system
  int nice = 0;
  uint64_t vsz_kib = 0, rss_kib = 0;
  int tty_nr = 0;
};

// Nullopt-like ENOENT error when the process is gone.
Result<ProcessInfo> read_process_info(pid_t host_pid);

// The fields of /proc/PID/stat after the parenthesised comm, which may
// itself contain spaces and parentheses. Exposed for tests.
struct StatFields {
  std::string comm;
  std::vector<std::string> rest;  // field 3 (state) onwards
};
Result<StatFields> parse_proc_stat(const std::string& content);

// The text after "Key:" on its line of /proc/PID/status ("" when absent).
std::string status_value(const std::string& status_content, const std::string& key);

// "NSpid:\t4242\t7" -> 7: the pid in the innermost namespace.
pid_t innermost_pid(const std::string& status_content, const std::string& key);

}  // namespace burrow::engine

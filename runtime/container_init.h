// The container init's whole job as plain data. The parent (linux_container)
// fills an InitConfig from the Spec, doing every allocation and lookup; after
// clone() the child only reads it, so it allocates nothing.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/capabilities.h"
#include "runtime/console.h"
#include "runtime/mount_plan.h"
#include "runtime/process_setup.h"
#include "runtime/seccomp_bpf.h"

namespace burrow::runtime {

struct InitConfig {
  int status_fd = -1;   // write end: InitMessage records; CLOEXEC, so EOF = execve succeeded
  int control_fd = -1;  // read end: 'M' after id maps are written, 'S' to start
  bool wait_for_id_maps = false;
  // Namespaces joined by path, user first (fd, CLONE_NEW* type). The pid
  // namespace is joined by the parent before clone.
  std::vector<std::pair<int, int>> join_namespaces;
  int stdio[3] = {0, 1, 2};
  // process.terminal: the child's end of the console socket; the pty's
  // peer replaces stdio. -1: plain stdio.
  int console_socket = -1;
  ConsoleSize console_size;

  MountPlan mounts;
  std::optional<std::string> hostname;                       // set only with a new uts namespace
  std::vector<std::pair<std::string, std::string>> sysctls;  // "/proc/sys/net/..." -> value
  std::vector<std::pair<int, struct rlimit>> rlimits;
  std::optional<int> oom_score_adj;
  mode_t umask = 0022;
  std::string cwd;

  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> additional_gids;
  CapabilityPlan capabilities{};
  bool no_new_privileges = false;
  const SeccompProgram* seccomp = nullptr;

  // execvp-style candidates for args[0], from the spec env's PATH.
  std::vector<std::string> exec_candidates;
  std::vector<std::string> args, env;
  std::vector<char*> argv, envp;  // NULL-terminated views of args and env
};

// The child's entry point: sets everything up, reports kReady, waits for the
// start byte and execve()s. Never returns; on failure it reports and exits
// 125 (setup), 127 (command not found) or 126 (cannot execute).
[[noreturn]] void run_container_init(const InitConfig& config);

}  // namespace burrow::runtime

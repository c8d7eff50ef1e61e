// `burrow exec`: starts one more process inside a running container by
// joining the namespaces of its init, with the container's credentials,
// capabilities, no_new_privs, rlimits and seccomp filter.
#pragma once

#include <sys/types.h>

#include "base/result.h"
#include "base/unique_fd.h"
#include "runtime/console.h"
#include "runtime/seccomp_bpf.h"
#include "runtime/spec.h"

namespace burrow::runtime {

using base::Result;
using base::Status;

struct ExecOptions {
  // The container init (a host pid); its /proc/PID/ns/* are joined: user
  // (only when it differs from ours), mnt, pid, uts, ipc, net, cgroup.
  pid_t init_pid = -1;
  // The process to run: args, env, cwd, user (uid, gid, additionalGids,
  // umask), capabilities, noNewPrivileges, rlimits and terminal are
  // honoured; oomScoreAdj is not.
  Process process;
  // Precompiled filter, or null for none. Must outlive exec_in_container.
  const SeccompProgram* seccomp = nullptr;
  // Unused with process.terminal: the pty's peer is then the stdio.
  int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;
  ConsoleSize console_size;  // process.terminal: the pty's initial size
};

// A started exec process: a child of the caller, in the container's pid
// namespace. Killed (SIGKILL) and reaped when dropped before wait_exec().
class ExecProcess {
 public:
  ExecProcess() = default;
  ExecProcess(ExecProcess&&) noexcept;
  ExecProcess& operator=(ExecProcess&&) noexcept;
  ExecProcess(const ExecProcess&) = delete;
  ExecProcess& operator=(const ExecProcess&) = delete;
  ~ExecProcess();

  pid_t pid() const { return pid_; }
  // Readable once the process has exited (poll), until wait_exec().
  int pidfd() const { return pidfd_.get(); }
  // With process.terminal: the master of its pty, opened in the
  // container's /dev/pts; hands it over (once).
  base::UniqueFd take_console() { return std::move(console_); }
  // Gives up ownership: the process is neither killed nor reaped by us.
  pid_t release();

 private:
  friend Result<ExecProcess> exec_in_container(const ExecOptions&);
  friend Result<int> wait_exec(ExecProcess&);
  void kill_and_reap();

  pid_t pid_ = -1;
  base::UniqueFd pidfd_;
  base::UniqueFd console_;
  bool reaped_ = false;
};

// Returns once execve() of process.args succeeded in the container. A failed
// execve comes back as an error with its errno as code (ENOENT: exit 127;
// EACCES/ENOEXEC: 126, see exec_error_exit_code); a failed setup (joining a
// namespace, credentials) with exit_status 125 and a message naming the step,
// e.g. "exec: setresuid(1000): Operation not permitted". A working directory
// that cannot be entered is not created (as `podman exec`): "exec: chdir to
// /x: No such file or directory" with exit_status 127 (126 for other errors),
// the codes Podman gives and tools such as Toolbx test for. An init that has
// exited gives ESRCH, "exec: container is not running (...)".
//
// The caller needs CAP_SYS_ADMIN in its own user namespace (root, or burrow
// inside its keeper's namespace) to enter the container's pid namespace.
Result<ExecProcess> exec_in_container(const ExecOptions& options);

// Waits for the process and returns its exit code (128+signal when killed),
// forwarding SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 to it meanwhile.
Result<int> wait_exec(ExecProcess& process);

}  // namespace burrow::runtime

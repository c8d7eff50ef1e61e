// The built-in runtime: creates a container init from a Spec with one
// clone(), starts it (execve of process.args) and waits for it. Runs in the
// process that owns the container (the CLI for a foreground run, later the
// monitor); that process is single-threaded.
#pragma once

#include <sys/types.h>

#include <memory>

#include "base/result.h"
#include "base/unique_fd.h"
#include "runtime/console.h"
#include "runtime/seccomp_bpf.h"
#include "runtime/spec.h"

namespace burrow::runtime {

using base::Result;
using base::Status;

struct InitConfig;

struct CreateOptions {
  // Precompiled by the caller (compile_seccomp); null runs unconfined. Must
  // outlive create_container (the child copies it at clone).
  const SeccompProgram* seccomp = nullptr;
  // false when rootless: bind-mount the host's device nodes instead of mknod.
  // A spec with a new user namespace always binds them.
  bool mknod_devices = true;
  // The container's stdio; the child dup2()s them onto 0, 1, 2. Unused
  // with spec.process.terminal: the pty's peer is then its stdio.
  int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;
  // With spec.process.terminal: the pty's initial size (the caller's
  // terminal's, when it has one).
  ConsoleSize console_size;
};

// Owns the container init: killed (SIGKILL) and reaped when dropped before
// wait_container() reaped it, unless release()d.
class ContainerProcess {
 public:
  ContainerProcess() = default;
  ContainerProcess(ContainerProcess&&) noexcept;
  ContainerProcess& operator=(ContainerProcess&&) noexcept;
  ContainerProcess(const ContainerProcess&) = delete;
  ContainerProcess& operator=(const ContainerProcess&) = delete;
  ~ContainerProcess();

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  bool started() const { return started_; }
  // With spec.process.terminal: the master of the container's pty, received
  // from the init by create_container(); hands it over (once).
  base::UniqueFd take_console() { return std::move(console_); }
  // Gives up ownership: the process is neither killed nor reaped by us.
  pid_t release();

 private:
  friend Result<ContainerProcess> create_container(const Spec&, const CreateOptions&);
  friend Status start_container(ContainerProcess&);
  friend Result<int> wait_container(ContainerProcess&);
  void kill_and_reap();

  pid_t pid_ = -1;
  base::UniqueFd pidfd_;
  base::UniqueFd status_fd_;   // read end: InitMessage records, EOF once execve succeeded
  base::UniqueFd control_fd_;  // write end: 'S' starts the process
  base::UniqueFd console_;     // the pty master, until taken
  bool started_ = false;
  bool reaped_ = false;
};

// clone()s the container init with the namespaces of spec.linux.namespaces
// (joining those with a path), writes uid/gid maps for a new user namespace,
// and returns once the init has set everything up and waits for start.
// A setup failure comes back as "container init: mounting /proc: <strerror>"
// with the errno as code. With spec.process.terminal the init opens a pty in
// the container's /dev/pts and sends its master back (take_console()).
Result<ContainerProcess> create_container(const Spec& spec, const CreateOptions& options);

// Lets the init execve() process.args. When execve fails the error comes back
// with its errno as code (ENOENT: command not found, exit 127; EACCES or
// ENOEXEC: not executable, exit 126; see exec_error_exit_code) and the process
// exits with that code.
Status start_container(ContainerProcess& process);

// Waits for the init to exit and returns its exit code (128+signal when
// killed). While waiting, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2
// and SIGWINCH received by the caller are forwarded to the container.
Result<int> wait_container(ContainerProcess& process);

// The exit code a failed start maps to: 127 for ENOENT/ENOTDIR, 126 else.
int exec_error_exit_code(int err);

// Exposed for unit tests: everything create_container prepares before
// clone(), without side effects (namespace fds are not opened).
Result<std::unique_ptr<InitConfig>> prepare_init_config(const Spec& spec,
                                                        const CreateOptions& options);

}  // namespace burrow::runtime

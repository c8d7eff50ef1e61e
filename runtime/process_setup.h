// The steps every process burrow starts inside a container takes between
// fork and execve, shared by the container init (container_init.cpp) and
// `burrow exec` (exec_process.cpp), and the status-pipe record both use.
//
// The functions marked "Parent" run in the caller and may allocate; those
// marked "Child" run after clone(), never allocate and never throw.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "runtime/capabilities.h"
#include "runtime/init_error.h"
#include "runtime/seccomp_bpf.h"
#include "runtime/spec.h"

namespace burrow::runtime {

// One record on the status pipe from the child to the parent. It is smaller
// than PIPE_BUF, so each write is atomic.
struct InitMessage {
  enum Kind : int32_t { kReady = 1, kSetupFailed = 2, kExecFailed = 3 };
  int32_t kind = 0;
  int32_t code = 0;  // errno
  char message[400] = {};
};

// Parent: execvp-style candidates for `program` from the PATH in `env` (the
// default PATH when there is none); a program with a slash is its own only
// candidate.
std::vector<std::string> exec_candidates(const std::string& program,
                                         const std::vector<std::string>& env);

// Parent: execve()'s arguments, prepared once for a config (InitConfig or
// exec's): PATH candidates for args[0], copies of args and env, and argv/envp
// as NULL-terminated views of those copies, so the config must not move
// afterwards (both live behind a unique_ptr).
template <typename Config>
void prepare_exec_arguments(Config& config, const std::vector<std::string>& args,
                            const std::vector<std::string>& env) {
  config.exec_candidates = exec_candidates(args[0], env);
  config.args = args;
  config.env = env;
  for (auto& arg : config.args) config.argv.push_back(arg.data());
  config.argv.push_back(nullptr);
  for (auto& entry : config.env) config.envp.push_back(entry.data());
  config.envp.push_back(nullptr);
}

// Parent: OCI rlimits as setrlimit() arguments; unknown names and a soft
// limit above the hard one are errors.
Result<std::vector<std::pair<int, struct rlimit>>> plan_rlimits(const std::vector<Rlimit>& limits);

// Parent: clone3(flags) on the caller's stack, like fork(): returns 0 in the
// child, the child's pid in the parent, -1 with errno on failure. With a
// non-null `pidfd`, CLONE_PIDFD is added and the child's pidfd stored there.
// The exit signal is SIGCHLD (with CLONE_PARENT the kernel takes the
// caller's own).
long clone_process(uint64_t flags, int* pidfd);

// Parent: reads the child's next status record. *eof is set when the pipe
// closed without one: the write end is close-on-exec, so execve succeeded
// (or the child died). `peer` names the child in errors.
Result<InitMessage> read_status_message(int fd, const char* peer, bool* eof);

// Parent: a wait status as a shell would report it: the exit code, 128+signal
// when killed.
int exit_code_from_status(int status);

// Parent: waits for the child `pid` (its pidfd, used to poll and to signal)
// and returns exit_code_from_status(). Meanwhile the `forwarded` signals
// received by the caller are passed on to the child; the caller's signal
// mask is restored before returning. Fails only when waitpid() does.
Result<int> wait_forwarding_signals(pid_t pid, int pidfd, std::span<const int> forwarded);

// The identity and confinement the process ends up with, as views into data
// the parent prepared.
struct ProcessIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::span<const gid_t> additional_gids;
  const CapabilityPlan* capabilities = nullptr;
  bool no_new_privileges = false;
  const SeccompProgram* seccomp = nullptr;  // null: none
};

// Child: writes one status record (retrying on EINTR).
void write_status_message(int fd, InitMessage::Kind kind, int code, const char* text);

// Child: default dispositions for every signal and an empty mask, so nothing
// the parent set up leaks into the container's process.
void reset_signals();

// Child: dup2()s stdio[0..2] onto 0, 1, 2 (safe when they overlap).
bool setup_stdio(const int (&stdio)[3], InitError& error);

// Child: setrlimit() for each planned limit.
bool apply_rlimits(std::span<const std::pair<int, struct rlimit>> rlimits, InitError& error);

// Child: the confinement steps in the only order that works: the seccomp
// filter first when no_new_privileges is off (installing it then needs
// CAP_SYS_ADMIN), then groups, gid, uid and the capability sets, then
// no_new_privileges and the filter as late as possible. Leaves
// PR_SET_PDEATHSIG at SIGKILL (a credential change clears it).
bool apply_identity(const ProcessIdentity& identity, InitError& error);

// Child: execvp's search over the candidates. Returns the program to
// execute, or null with *err set (ENOENT, or EACCES when one was found but
// cannot be executed). `program` is args[0].
const char* find_program(const std::vector<std::string>& candidates, const std::string& program,
                         int* err);

}  // namespace burrow::runtime

// Shared by the container init and `burrow exec`. The planning and waiting
// functions run in the parent (the CLI or the monitor); the rest run in the
// child between clone() and execve(), where they must not allocate.
#include "runtime/process_setup.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/unique_fd.h"
#include "runtime/spec_defaults.h"

namespace burrow::runtime {

using base::fail_errno;
using base::failf;

namespace {

// struct clone_args (linux/sched.h, CLONE_ARGS_SIZE_VER0); declared here to
// avoid that header's clash with <sched.h>.
struct CloneArgs {
  uint64_t flags = 0;
  uint64_t pidfd = 0;
  uint64_t child_tid = 0;
  uint64_t parent_tid = 0;
  uint64_t exit_signal = 0;
  uint64_t stack = 0;
  uint64_t stack_size = 0;
  uint64_t tls = 0;
};

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

bool install_seccomp(const ProcessIdentity& identity, bool no_new_privileges_set,
                     InitError& error) {
  if (identity.seccomp == nullptr) return true;
  int rc = install_seccomp_program(*identity.seccomp, no_new_privileges_set);
  if (rc != 0) return error.set(rc, "installing the seccomp filter");
  return true;
}

bool raise_effective_to_permitted() {
  struct __user_cap_header_struct header;
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  std::memset(&header, 0, sizeof header);
  std::memset(data, 0, sizeof data);
  header.version = _LINUX_CAPABILITY_VERSION_3;
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  for (auto& word : data) word.effective = word.permitted;
  return ::syscall(SYS_capset, &header, data) == 0;
}

bool switch_credentials(const ProcessIdentity& identity, InitError& error) {
  // Keep the permitted set across setresuid; apply_capability_plan then
  // trims it to the plan.
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return error.set(errno, "PR_SET_KEEPCAPS");
  if (identity.additional_gids.empty()) {
    // setgroups is denied in a user namespace whose /proc/PID/setgroups says
    // "deny"; there is then nothing to drop.
    if (::setgroups(0, nullptr) != 0 && errno != EPERM) return error.set(errno, "setgroups");
  } else if (::setgroups(identity.additional_gids.size(), identity.additional_gids.data()) != 0) {
    return error.set(errno, "setgroups");
  }
  if (::setresgid(identity.gid, identity.gid, identity.gid) != 0)
    return error.set(errno, "setresgid(%u)", identity.gid);
  if (::setresuid(identity.uid, identity.uid, identity.uid) != 0)
    return error.set(errno, "setresuid(%u)", identity.uid);
  // A credential change clears the parent-death signal.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // Leaving uid 0 cleared the effective set (KEEPCAPS keeps only the
  // permitted one), and trimming the bounding set needs CAP_SETPCAP there.
  if (identity.uid != 0 && !raise_effective_to_permitted())
    return error.set(errno, "raising the effective capabilities");
  int rc = apply_capability_plan(*identity.capabilities);
  if (rc != 0) return error.set(rc, "applying the capability sets");
  return true;
}

}  // namespace

std::vector<std::string> exec_candidates(const std::string& program,
                                         const std::vector<std::string>& env) {
  if (program.find('/') != std::string::npos) return {program};
  std::string search = kDefaultPath;
  for (const auto& entry : env)
    if (entry.rfind("PATH=", 0) == 0) search = entry.substr(5);
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= search.size()) {
    size_t end = search.find(':', start);
    if (end == std::string::npos) end = search.size();
    std::string dir = search.substr(start, end - start);
    out.push_back((dir.empty() ? std::string(".") : dir) + "/" + program);
    start = end + 1;
  }
  return out;
}

Result<std::vector<std::pair<int, struct rlimit>>> plan_rlimits(const std::vector<Rlimit>& limits) {
  std::vector<std::pair<int, struct rlimit>> out;
  for (const auto& limit : limits) {
    int resource = rlimit_resource_from_name(limit.type);
    if (resource < 0) return failf(EINVAL, "unknown rlimit \"{}\"", limit.type);
    if (limit.soft > limit.hard)
      return failf(EINVAL, "rlimit {}: soft limit {} is above the hard limit {}", limit.type,
                   limit.soft, limit.hard);
    struct rlimit value;
    value.rlim_cur = limit.soft;
    value.rlim_max = limit.hard;
    out.emplace_back(resource, value);
  }
  return out;
}

long clone_process(uint64_t flags, int* pidfd) {
  CloneArgs args;
  args.flags = flags;
  if (pidfd != nullptr) {
    args.flags |= CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uint64_t>(pidfd);
  }
  if ((flags & CLONE_PARENT) == 0) args.exit_signal = SIGCHLD;
  return ::syscall(SYS_clone3, &args, sizeof args);
}

Result<InitMessage> read_status_message(int fd, const char* peer, bool* eof) {
  InitMessage message;
  size_t got = 0;
  auto* bytes = reinterpret_cast<char*>(&message);
  while (got < sizeof message) {
    ssize_t n = ::read(fd, bytes + got, sizeof message - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("reading from {}", peer);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  *eof = got == 0;
  if (got != 0 && got != sizeof message) return failf(EPROTO, "short message from {}", peer);
  message.message[sizeof message.message - 1] = '\0';
  return message;
}

int exit_code_from_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 125;
}

Result<int> wait_forwarding_signals(pid_t pid, int pidfd, std::span<const int> forwarded) {
  auto send_signal = [&](int sig) {
    if (pidfd >= 0)
      return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
    return ::kill(pid, sig);
  };
  sigset_t mask, previous;
  sigemptyset(&mask);
  for (int sig : forwarded) sigaddset(&mask, sig);
  if (::sigprocmask(SIG_BLOCK, &mask, &previous) != 0) return fail_errno("sigprocmask");
  base::UniqueFd signal_fd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  auto forward_pending = [&] {
    struct signalfd_siginfo info;
    while (signal_fd && ::read(signal_fd.get(), &info, sizeof info) == sizeof info)
      send_signal(static_cast<int>(info.ssi_signo));
  };
  bool exited = false;
  while (!exited) {
    struct pollfd fds[2] = {{pidfd, POLLIN, 0}, {signal_fd.get(), POLLIN, 0}};
    int n = ::poll(fds, signal_fd ? 2 : 1, -1);
    if (n < 0 && errno != EINTR) break;
    if (n > 0 && (fds[1].revents & POLLIN)) forward_pending();
    if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP))) exited = true;
  }
  int status = 0;
  int rc;
  while ((rc = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  int wait_errno = errno;
  forward_pending();
  ::sigprocmask(SIG_SETMASK, &previous, nullptr);
  if (rc < 0) {
    errno = wait_errno;
    return fail_errno("waitpid");
  }
  return exit_code_from_status(status);
}

void write_status_message(int fd, InitMessage::Kind kind, int code, const char* text) {
  InitMessage message;
  message.kind = kind;
  message.code = code;
  std::snprintf(message.message, sizeof message.message, "%s", text);
  while (::write(fd, &message, sizeof message) < 0 && errno == EINTR) {
  }
}

void reset_signals() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &action, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

bool setup_stdio(const int (&stdio)[3], InitError& error) {
  // Through fds above 2 first, so that e.g. stdout_fd == 0 is not clobbered
  // by an earlier dup2; dup2 also clears CLOEXEC on the result.
  int high[3];
  for (int i = 0; i < 3; ++i) {
    high[i] = ::fcntl(stdio[i], F_DUPFD_CLOEXEC, 3);
    if (high[i] < 0) return error.set(errno, "duplicating stdio fd %d", stdio[i]);
  }
  for (int i = 0; i < 3; ++i) {
    if (::dup2(high[i], i) < 0) return error.set(errno, "dup2 of stdio fd %d", i);
    ::close(high[i]);
  }
  return true;
}

bool apply_rlimits(std::span<const std::pair<int, struct rlimit>> rlimits, InitError& error) {
  for (const auto& [resource, limit] : rlimits)
    if (::setrlimit(resource, &limit) != 0) return error.set(errno, "setrlimit(%d)", resource);
  return true;
}

bool apply_identity(const ProcessIdentity& identity, InitError& error) {
  if (!identity.no_new_privileges && !install_seccomp(identity, false, error)) return false;
  if (!switch_credentials(identity, error)) return false;
  if (identity.no_new_privileges) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
      return error.set(errno, "PR_SET_NO_NEW_PRIVS");
    if (!install_seccomp(identity, true, error)) return false;
  }
  return true;
}

const char* find_program(const std::vector<std::string>& candidates, const std::string& program,
                         int* err) {
  if (candidates.size() == 1 && program.find('/') != std::string::npos)
    return candidates[0].c_str();  // execve reports its own error
  bool denied = false;
  for (const std::string& candidate : candidates) {
    struct stat st;
    if (::stat(candidate.c_str(), &st) != 0) {
      denied = denied || errno == EACCES;
      continue;
    }
    if (!S_ISREG(st.st_mode) || ::access(candidate.c_str(), X_OK) != 0) {
      denied = true;
      continue;
    }
    return candidate.c_str();
  }
  *err = denied ? EACCES : ENOENT;
  return nullptr;
}

}  // namespace burrow::runtime

// Runs in the container init: the child of clone(), in its new namespaces,
// until execve(). It never throws and never allocates (everything was
// prepared by the parent in InitConfig); any failure is written to the status
// pipe and the process exits.
#include "runtime/container_init.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/mount_setup.h"

namespace burrow::runtime {

namespace {

void write_message(int fd, InitMessage::Kind kind, int code, const char* text) {
  InitMessage message;
  message.kind = kind;
  message.code = code;
  std::snprintf(message.message, sizeof message.message, "%s", text);
  while (::write(fd, &message, sizeof message) < 0 && errno == EINTR) {
  }
}

[[noreturn]] void fail_setup(const InitConfig& config, const InitError& error) {
  write_message(config.status_fd, InitMessage::kSetupFailed, error.code, error.message);
  ::_exit(125);
}

[[noreturn]] void fail_setup_errno(const InitConfig& config, const char* what) {
  write_message(config.status_fd, InitMessage::kSetupFailed, errno, what);
  ::_exit(125);
}

// The shell's convention, which Podman follows: 127 when the command does
// not exist, 126 when it exists but cannot be executed.
int exit_code_for_exec_errno(int err) { return err == ENOENT || err == ENOTDIR ? 127 : 126; }

[[noreturn]] void fail_exec(const InitConfig& config, int err, const char* what) {
  char text[sizeof(InitMessage::message)];
  std::snprintf(text, sizeof text, "executing %s", what);
  write_message(config.status_fd, InitMessage::kExecFailed, err, text);
  ::_exit(exit_code_for_exec_errno(err));
}

bool read_control_byte(int fd, char expected) {
  char byte = 0;
  ssize_t n;
  do {
    n = ::read(fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  return n == 1 && byte == expected;
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

bool write_small_file(const char* path, const char* value, InitError& error) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return error.set(errno, "opening %s", path);
  size_t length = std::strlen(value);
  ssize_t n = ::write(fd, value, length);
  int saved = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(length)) return error.set(n < 0 ? saved : EIO, "writing %s", path);
  return true;
}

bool setup_stdio(const InitConfig& config, InitError& error) {
  // Through fds above 2 first, so that e.g. stdout_fd == 0 is not clobbered
  // by an earlier dup2; dup2 also clears CLOEXEC on the result.
  int high[3];
  for (int i = 0; i < 3; ++i) {
    high[i] = ::fcntl(config.stdio[i], F_DUPFD_CLOEXEC, 3);
    if (high[i] < 0) return error.set(errno, "duplicating stdio fd %d", config.stdio[i]);
  }
  for (int i = 0; i < 3; ++i) {
    if (::dup2(high[i], i) < 0) return error.set(errno, "dup2 of stdio fd %d", i);
    ::close(high[i]);
  }
  return true;
}

bool apply_process_limits(const InitConfig& config, InitError& error) {
  for (const auto& [resource, limit] : config.rlimits)
    if (::setrlimit(resource, &limit) != 0) return error.set(errno, "setrlimit(%d)", resource);
  if (config.oom_score_adj) {
    char value[32];
    std::snprintf(value, sizeof value, "%d", *config.oom_score_adj);
    if (!write_small_file("/proc/self/oom_score_adj", value, error)) return false;
  }
  return true;
}

bool enter_cwd(const InitConfig& config, InitError& error) {
  if (::chdir(config.cwd.c_str()) == 0) return true;
  // Podman creates a missing working directory.
  if (errno != ENOENT) return error.set(errno, "chdir to %s", config.cwd.c_str());
  if (!make_dirs_in_current_root(config.cwd.c_str(), error)) return false;
  if (::chdir(config.cwd.c_str()) != 0) return error.set(errno, "chdir to %s", config.cwd.c_str());
  return true;
}

bool install_seccomp(const InitConfig& config, bool no_new_privileges_set, InitError& error) {
  if (config.seccomp == nullptr) return true;
  int rc = install_seccomp_program(*config.seccomp, no_new_privileges_set);
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

bool switch_credentials(const InitConfig& config, InitError& error) {
  // Keep the permitted set across setresuid; apply_capability_plan then
  // trims it to the plan.
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return error.set(errno, "PR_SET_KEEPCAPS");
  if (config.additional_gids.empty()) {
    // setgroups is denied in a user namespace whose /proc/PID/setgroups says
    // "deny"; there is then nothing to drop.
    if (::setgroups(0, nullptr) != 0 && errno != EPERM) return error.set(errno, "setgroups");
  } else if (::setgroups(config.additional_gids.size(), config.additional_gids.data()) != 0) {
    return error.set(errno, "setgroups");
  }
  if (::setresgid(config.gid, config.gid, config.gid) != 0)
    return error.set(errno, "setresgid(%u)", config.gid);
  if (::setresuid(config.uid, config.uid, config.uid) != 0)
    return error.set(errno, "setresuid(%u)", config.uid);
  // A credential change clears the parent-death signal.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // Leaving uid 0 cleared the effective set (KEEPCAPS keeps only the
  // permitted one), and trimming the bounding set needs CAP_SETPCAP there.
  if (config.uid != 0 && !raise_effective_to_permitted())
    return error.set(errno, "raising the effective capabilities");
  int rc = apply_capability_plan(config.capabilities);
  if (rc != 0) return error.set(rc, "applying the capability sets");
  return true;
}

// execvp's search, but over the container's PATH (prepared by the parent).
// Returns the program to execute, or null with *err set.
const char* find_program(const InitConfig& config, int* err) {
  if (config.exec_candidates.size() == 1 && config.args[0].find('/') != std::string::npos)
    return config.exec_candidates[0].c_str();  // execve reports its own error
  bool denied = false;
  for (const std::string& candidate : config.exec_candidates) {
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

}  // namespace

[[noreturn]] void run_container_init(const InitConfig& config) {
  InitError error;
  // Dies with the process that created it, until it is started and after.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  reset_signals();
  if (config.wait_for_id_maps && !read_control_byte(config.control_fd, 'M')) ::_exit(125);
  for (const auto& [fd, type] : config.join_namespaces)
    if (::setns(fd, type) != 0) fail_setup_errno(config, "joining a namespace");
  // Its own session: the caller's terminal signals reach the container
  // through the caller, which forwards them.
  ::setsid();
  ::umask(0);

  if (!setup_rootfs(config.mounts, error)) fail_setup(config, error);
  if (config.hostname && ::sethostname(config.hostname->c_str(), config.hostname->size()) != 0)
    fail_setup_errno(config, "sethostname");
  for (const auto& [path, value] : config.sysctls)
    if (!write_small_file(path.c_str(), value.c_str(), error)) fail_setup(config, error);
  if (!finish_rootfs(config.mounts, error)) fail_setup(config, error);
  if (!apply_process_limits(config, error)) fail_setup(config, error);
  if (!enter_cwd(config, error)) fail_setup(config, error);
  if (!setup_stdio(config, error)) fail_setup(config, error);
  // Nothing of the caller's but stdio may reach the container (the status
  // and control pipes are already close-on-exec).
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);

  // Without no_new_privileges a filter needs CAP_SYS_ADMIN, so it goes in
  // before the capabilities are dropped; with it, as late as possible.
  if (!config.no_new_privileges && !install_seccomp(config, false, error))
    fail_setup(config, error);
  if (!switch_credentials(config, error)) fail_setup(config, error);
  if (config.no_new_privileges) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
      fail_setup_errno(config, "PR_SET_NO_NEW_PRIVS");
    if (!install_seccomp(config, true, error)) fail_setup(config, error);
  }
  ::umask(config.umask);

  int lookup_errno = 0;
  const char* program = find_program(config, &lookup_errno);

  write_message(config.status_fd, InitMessage::kReady, 0, "");
  if (!read_control_byte(config.control_fd, 'S')) ::_exit(125);
  if (program == nullptr) fail_exec(config, lookup_errno, config.args[0].c_str());
  ::execve(program, config.argv.data(), config.envp.data());
  fail_exec(config, errno, program);
}

}  // namespace burrow::runtime

// Runs in the container init: the child of clone(), in its new namespaces,
// until execve(). It never throws and never allocates (everything was
// prepared by the parent in InitConfig); any failure is written to the status
// pipe and the process exits.
#include "runtime/container_init.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/mount_setup.h"

namespace burrow::runtime {

namespace {

[[noreturn]] void fail_setup(const InitConfig& config, const InitError& error) {
  write_status_message(config.status_fd, InitMessage::kSetupFailed, error.code, error.message);
  ::_exit(125);
}

[[noreturn]] void fail_setup_errno(const InitConfig& config, const char* what) {
  write_status_message(config.status_fd, InitMessage::kSetupFailed, errno, what);
  ::_exit(125);
}

// The shell's convention, which Podman follows: 127 when the command does
// not exist, 126 when it exists but cannot be executed.
int exit_code_for_exec_errno(int err) { return err == ENOENT || err == ENOTDIR ? 127 : 126; }

[[noreturn]] void fail_exec(const InitConfig& config, int err, const char* what) {
  char text[sizeof(InitMessage::message)];
  std::snprintf(text, sizeof text, "executing %s", what);
  write_status_message(config.status_fd, InitMessage::kExecFailed, err, text);
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

bool apply_process_limits(const InitConfig& config, InitError& error) {
  if (!apply_rlimits(config.rlimits, error)) return false;
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
  // The pty comes from the container's devpts (mounted above), so `tty`
  // inside names /dev/pts/0 of its own instance.
  bool stdio_ready = config.console_socket >= 0
                         ? setup_console(kContainerPtmx, config.console_socket, config.console_size,
                                         config.uid, error)
                         : setup_stdio(config.stdio, error);
  if (!stdio_ready) fail_setup(config, error);
  // Nothing of the caller's but stdio may reach the container (the status
  // and control pipes are already close-on-exec).
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);

  // Seccomp, groups, uid/gid, capabilities and no_new_privileges, in the
  // order process_setup.h explains.
  ProcessIdentity identity;
  identity.uid = config.uid;
  identity.gid = config.gid;
  identity.additional_gids = config.additional_gids;
  identity.capabilities = &config.capabilities;
  identity.no_new_privileges = config.no_new_privileges;
  identity.seccomp = config.seccomp;
  if (!apply_identity(identity, error)) fail_setup(config, error);
  ::umask(config.umask);

  int lookup_errno = 0;
  const char* program = find_program(config.exec_candidates, config.args[0], &lookup_errno);

  write_status_message(config.status_fd, InitMessage::kReady, 0, "");
  if (!read_control_byte(config.control_fd, 'S')) ::_exit(125);
  if (program == nullptr) fail_exec(config, lookup_errno, config.args[0].c_str());
  ::execve(program, config.argv.data(), config.envp.data());
  fail_exec(config, errno, program);
}

}  // namespace burrow::runtime

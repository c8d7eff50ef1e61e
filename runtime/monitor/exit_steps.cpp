// Runs in burrow-monitor (see exit_steps.h); run_exit_command's child runs
// between fork and execve and uses only async-signal-safe calls.
#include "runtime/monitor/exit_steps.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include "runtime/monitor/fd_util.h"

extern char** environ;

namespace burrow::monitor {

namespace {

[[noreturn]] void exec_exit_command(const char* const* argv) {
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  // Ignored dispositions survive execve; the command gets the defaults.
  static constexpr int kSignals[] = {SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGCHLD};
  for (int signal_number : kSignals) {
    ::sigaction(signal_number, &default_action, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd < 0) ::_exit(127);
  for (int fd = 0; fd < 3; ++fd) {
    if (::dup2(null_fd, fd) < 0) ::_exit(127);
  }
  ::close_range(3, ~0U, 0);
  ::execve(argv[0], const_cast<char* const*>(argv), environ);
  ::_exit(127);
}

}  // namespace

int exit_code_from_status(int wait_status) {
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return WEXITSTATUS(wait_status);
}

int write_exit_file(const char* path, int exit_code, int64_t finish_ns) {
  char temporary[PATH_MAX];
  int length = std::snprintf(temporary, sizeof temporary, "%s.tmp", path);
  if (length < 0 || static_cast<size_t>(length) >= sizeof temporary) return ENAMETOOLONG;
  char content[48];
  int content_length = std::snprintf(content, sizeof content, "%d %lld\n", exit_code,
                                     static_cast<long long>(finish_ns));
  int fd = ::open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0) return errno;
  // No fsync: the file lives in the per-boot run root and only carries the
  // exit to whoever finishes the container, who records it durably in the
  // database. Syncing here put disk latency on every container's exit.
  int error = write_all(fd, content, static_cast<size_t>(content_length));
  ::close(fd);
  if (error == 0 && ::rename(temporary, path) < 0) error = errno;
  if (error != 0) {
    ::unlink(temporary);
    return error;
  }
  return 0;
}

bool cli_took_over(int sync_fd, int exit_code, int timeout_ms) {
  char message[16];
  int length = std::snprintf(message, sizeof message, "%d\n", exit_code);
  if (write_all(sync_fd, message, static_cast<size_t>(length)) != 0) return false;
  long long deadline = monotonic_ms() + timeout_ms;
  for (;;) {
    long long left = deadline - monotonic_ms();
    if (left <= 0) return false;
    pollfd wait{sync_fd, POLLIN, 0};
    int ready = ::poll(&wait, 1, static_cast<int>(left));
    if (ready < 0 && errno != EINTR) return false;
    if (ready <= 0) continue;
    char answer = 0;
    ssize_t got = ::read(sync_fd, &answer, 1);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    return got == 1 && answer == 'A';
  }
}

pid_t start_command(const char* const* argv) {
  pid_t pid = ::fork();
  if (pid == 0) exec_exit_command(argv);
  return pid;
}

int run_exit_command(const char* const* argv) {
  pid_t pid = start_command(argv);
  if (pid < 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

}  // namespace burrow::monitor

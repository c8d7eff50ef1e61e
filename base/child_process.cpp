#include "base/child_process.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "base/file_util.h"
#include "base/strings.h"
#include "base/unique_fd.h"

extern char** environ;

namespace burrow::base {

std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* env_path = std::getenv("PATH");
  std::string search = env_path ? env_path : "";
  search += ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  size_t start = 0;
  while (start <= search.size()) {
    size_t end = search.find(':', start);
    if (end == std::string::npos) end = search.size();
    std::string dir = search.substr(start, end - start);
    if (!dir.empty()) {
      std::string candidate = path_join(dir, name);
      struct stat st;
      if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
          ::access(candidate.c_str(), X_OK) == 0)
        return candidate;
    }
    start = end + 1;
  }
  return "";
}

Result<int> wait_exit_code(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return fail_errno("waitpid");
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 125;
}

Result<ProcessOutput> run_process(const std::vector<std::string>& argv) {
  if (argv.empty()) return fail(EINVAL, "run_process: empty argv");
  std::string program = find_program(argv[0]);
  if (program.empty()) return failf(ENOENT, "{} not found in PATH", argv[0]);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return fail_errno("pipe");
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> c_argv;
  for (const auto& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, c_argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    errno = rc;
    return fail_errno("starting {}", program);
  }
  write_end.reset();
  auto output = read_fd(read_end.get(), 1 << 20);
  BURROW_TRY(int code, wait_exit_code(pid));
  return ProcessOutput{code, output ? *output : std::string()};
}

UniqueFd open_pidfd(pid_t pid) {
  return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
}

bool poll_exit(const UniqueFd& pidfd, int timeout_ms) {
  pollfd fd = {pidfd.get(), POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&fd, 1, timeout_ms);
  } while (ready < 0 && errno == EINTR);
  return ready > 0;
}

bool wait_process_exit(pid_t pid, int timeout_ms) {
  UniqueFd pidfd = open_pidfd(pid);
  return !pidfd || poll_exit(pidfd, timeout_ms);
}

std::string process_start_time(pid_t pid) {
  auto stat = read_file_limited(fmt::format("/proc/{}/stat", pid), 4096);
  if (!stat) return "";
  size_t close_paren = stat->rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 > stat->size()) return "";
  auto fields = split(std::string_view(*stat).substr(close_paren + 2), ' ');
  return fields.size() > 19 ? fields[19] : "";
}

}  // namespace burrow::base

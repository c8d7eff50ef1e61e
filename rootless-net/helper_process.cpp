#include "rootless-net/helper_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/child_process.h"
#include "base/file_util.h"
#include "base/strings.h"
#include "base/unique_fd.h"

extern char** environ;

namespace burrow::net {

Result<pid_t> spawn_helper(const std::vector<std::string>& argv, const std::string& work_dir,
                           const std::string& log_path, int pass_fd) {
  base::UniqueFd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!log) return base::fail_errno("opening {}", log_path);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addchdir_np(&actions, work_dir.c_str());
  posix_spawn_file_actions_adddup2(&actions, log.get(), STDERR_FILENO);
  if (pass_fd >= 0) posix_spawn_file_actions_adddup2(&actions, pass_fd, kPassedFd);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // A terminal session blocks and catches signals; the helper gets none of
  // that (pasta refuses to start with its handlers' signals blocked).
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &all);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> c_argv;
  for (const auto& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, &attributes, c_argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) {
    errno = rc;
    return base::fail_errno("starting {}", argv[0]);
  }
  return pid;
}

std::string helper_log_tail(const std::string& log_path) {
  auto text = base::read_file_limited(log_path, 1 << 20);
  if (!text) return "";
  std::vector<std::string> lines;
  for (const auto& line : base::split(*text, '\n')) {
    std::string_view trimmed = base::trim(line);
    // pasta reports a missing syslog socket on every line it logs.
    if (trimmed.empty() || base::starts_with(trimmed, "Failed to send")) continue;
    lines.emplace_back(trimmed);
  }
  if (lines.size() > 3) lines.erase(lines.begin(), lines.end() - 3);
  return base::join(lines, "; ");
}

void stop_helper(const HelperProcess& helper) {
  if (helper.pid <= 0 || helper.start_time.empty()) return;
  base::UniqueFd pidfd = base::open_pidfd(helper.pid);
  // Checked after the pidfd is open, so the pidfd is this helper's.
  if (!pidfd || base::process_start_time(helper.pid) != helper.start_time) return;
  // Not waited for: pasta takes tens of milliseconds to exit, which every
  // `run --rm` would pay. A start that publishes the same ports again
  // waits for them in check_ports_free instead.
  ::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGTERM, nullptr, 0);
}

}  // namespace burrow::net

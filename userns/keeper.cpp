// Runs in the CLI process (enter_keeper) and, after a double fork, in the
// keeper process itself (keeper_main), which never returns.
#include "userns/keeper.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdint>

#include "base/child_process.h"
#include "base/file_util.h"
#include "base/lock.h"
#include "base/log.h"
#include "base/strings.h"

namespace burrow::userns {
namespace {

struct KeeperMessage {
  int32_t pid = 0;
  int32_t error = 0;  // errno of the step that failed, 0 for success
  int32_t step = 0;   // which step: 1 unshare, 2 mount propagation
};

std::string pid_file(const std::string& run_root) {
  return base::path_join(run_root, "keeper.pid");
}

bool write_message(int fd, const KeeperMessage& message) {
  return ::write(fd, &message, sizeof message) == sizeof message;
}

bool read_message(int fd, KeeperMessage& message) {
  ssize_t n;
  do {
    n = ::read(fd, &message, sizeof message);
  } while (n < 0 && errno == EINTR);
  return n == sizeof message;
}

[[noreturn]] void keeper_main(int to_parent, int from_parent) {
  KeeperMessage message{static_cast<int32_t>(::getpid()), 0, 0};
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
    message = {message.pid, errno, 1};
    write_message(to_parent, message);
    ::_exit(1);
  }
  write_message(to_parent, message);
  char go = 0;
  if (::read(from_parent, &go, 1) != 1) ::_exit(1);  // the CLI died before writing the maps
  // Slave propagation: host mounts still appear inside, ours never leak out.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) {
    message = {message.pid, errno, 2};
    write_message(to_parent, message);
    ::_exit(1);
  }
  write_message(to_parent, message);
  // Drop every inherited descriptor: an inherited flock or database fd would
  // be held for the keeper's whole life.
  int null_fd = ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3; ++fd) ::dup2(null_fd, fd);
  ::syscall(SYS_close_range, 3, UINT_MAX, 0);
  if (::chdir("/") != 0) ::_exit(1);
  ::prctl(PR_SET_NAME, "burrow-keeper");
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  for (;;) ::pause();
}

Status keeper_step_error(const KeeperMessage& message) {
  errno = message.error;
  if (message.step == 1)
    return base::fail_errno(
        "creating the user namespace (is kernel.unprivileged_userns_clone or "
        "user.max_user_namespaces disabled? see docs/rootless.md)");
  return base::fail_errno("making the keeper's mounts private");
}

Result<pid_t> spawn_keeper(const KeeperConfig& config) {
  int up[2], down[2];
  if (::pipe2(up, O_CLOEXEC) != 0 || ::pipe2(down, O_CLOEXEC) != 0) return base::fail_errno("pipe");
  base::UniqueFd up_read(up[0]), up_write(up[1]), down_read(down[0]), down_write(down[1]);
  pid_t middle = ::fork();
  if (middle < 0) return base::fail_errno("fork");
  if (middle == 0) {
    // The intermediate child exits at once so the keeper is reparented and
    // no command ever has to reap it.
    ::setsid();
    pid_t keeper = ::fork();
    if (keeper == 0) keeper_main(up_write.get(), down_read.get());
    ::_exit(keeper > 0 ? 0 : 1);
  }
  BURROW_CHECK(base::wait_exit_code(middle));
  up_write.reset();
  down_read.reset();
  KeeperMessage message;
  if (!read_message(up_read.get(), message)) return base::fail(EIO, "the keeper process died");
  if (message.error != 0) return tl::unexpected(keeper_step_error(message).error());
  pid_t pid = message.pid;
  auto kill_keeper = [pid](base::Error e) {
    ::kill(pid, SIGKILL);
    return tl::unexpected(e.with_context("setting up the user namespace"));
  };
  if (auto written = write_id_maps(pid, config.plan, config.helpers, false); !written)
    return kill_keeper(written.error());
  if (::write(down_write.get(), "g", 1) != 1) return kill_keeper(base::fail_errno("go").value());
  if (!read_message(up_read.get(), message)) return base::fail(EIO, "the keeper process died");
  if (message.error != 0) return kill_keeper(keeper_step_error(message).error());
  return pid;
}

Status join_namespaces(pid_t pid) {
  base::UniqueFd user_ns(
      ::open(fmt::format("/proc/{}/ns/user", pid).c_str(), O_RDONLY | O_CLOEXEC));
  base::UniqueFd mount_ns(
      ::open(fmt::format("/proc/{}/ns/mnt", pid).c_str(), O_RDONLY | O_CLOEXEC));
  if (!user_ns || !mount_ns) return base::fail_errno("opening the keeper's namespaces");
  // A command the monitor runs is in the keeper's namespaces already, and
  // setns() into one's own user namespace fails.
  struct stat ours, theirs;
  if (::stat("/proc/self/ns/user", &ours) == 0 && ::fstat(user_ns.get(), &theirs) == 0 &&
      ours.st_ino == theirs.st_ino && ours.st_dev == theirs.st_dev)
    return base::ok();
  char cwd[PATH_MAX];
  bool have_cwd = ::getcwd(cwd, sizeof cwd) != nullptr;
  if (::setns(user_ns.get(), CLONE_NEWUSER) != 0)
    return base::fail_errno("joining the keeper's user namespace");
  if (::setns(mount_ns.get(), CLONE_NEWNS) != 0)
    return base::fail_errno("joining the keeper's mount namespace");
  // Joining a mount namespace resets the working directory to its root; the
  // keeper's namespace started as a copy of the host's, so the path is valid.
  if (have_cwd && ::chdir(cwd) != 0) base::warn("cannot return to {} in the user namespace", cwd);
  return base::ok();
}

}  // namespace

std::optional<pid_t> running_keeper(const std::string& run_root) {
  auto content = base::read_file_limited(pid_file(run_root), 256);
  if (!content) return std::nullopt;
  auto fields = base::split(base::trim(*content), ' ');
  if (fields.size() != 2) return std::nullopt;
  pid_t pid = static_cast<pid_t>(std::strtol(fields[0].c_str(), nullptr, 10));
  if (pid <= 0 || base::process_start_time(pid) != fields[1]) return std::nullopt;
  return pid;
}

Status enter_keeper(const KeeperConfig& config) {
  if (auto pid = running_keeper(config.run_root)) {
    if (join_namespaces(*pid)) return base::ok();
  }
  // Serialise keeper creation: two commands racing here must end in one keeper.
  BURROW_TRY(auto lock, base::FileLock::acquire(base::path_join(config.run_root, "keeper.lock")));
  // A keeper killed a moment ago can still have its pid and start time
  // (until it is reaped) but no namespaces left to join: replace it.
  if (auto existing = running_keeper(config.run_root); existing && join_namespaces(*existing))
    return base::ok();
  BURROW_TRY(pid_t pid, spawn_keeper(config));
  std::string record = fmt::format("{} {}\n", pid, base::process_start_time(pid));
  BURROW_CHECK(base::write_file_atomic(pid_file(config.run_root), record, 0600));
  base::debug("started keeper process {}", pid);
  return join_namespaces(pid);
}

Status stop_keeper(const std::string& run_root) {
  if (auto pid = running_keeper(run_root)) {
    if (::kill(*pid, SIGKILL) != 0 && errno != ESRCH)
      return base::fail_errno("stopping the keeper");
  }
  if (::unlink(pid_file(run_root).c_str()) != 0 && errno != ENOENT)
    return base::fail_errno("removing the keeper pid file");
  return base::ok();
}

}  // namespace burrow::userns

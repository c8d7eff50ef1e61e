// Runs in the CLI, inside the keeper's namespaces when rootless. The forked
// child never returns into the CLI's code: every path ends in execve or
// _exit, so no destructor of the CLI's objects runs twice.
#include "engine/monitor_spawn.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "base/fd_passing.h"
#include "base/file_util.h"
#include "base/log.h"

namespace burrow::engine {
namespace {

// The child's one report to the CLI, a single SOCK_SEQPACKET message.
struct StartReport {
  enum Kind : int32_t { kStarted = 1, kFailed = 2 };
  int32_t kind = 0;
  int32_t pid = -1;
  int32_t code = 0;         // errno of a failure
  int32_t exit_status = 0;  // 125, 126 or 127
  char message[480] = {};
};

// With pass_fd >= 0, that descriptor travels with the report (SCM_RIGHTS).
void send_report(int fd, const StartReport& report, int pass_fd = -1) {
  (void)base::send_with_fd(fd, &report, sizeof report, pass_fd);
}

// The report, and the descriptor that came with it (invalid when none).
struct ReceivedReport {
  StartReport report;
  ssize_t length = -1;
  base::UniqueFd fd;
};

ReceivedReport receive_report(int fd) {
  ReceivedReport received;
  int passed = -1;
  received.length = base::receive_with_fd(fd, &received.report, sizeof received.report, &passed);
  received.fd.reset(passed);
  return received;
}

[[noreturn]] void report_failure(int fd, const Error& error, int exit_status) {
  StartReport report;
  report.kind = StartReport::kFailed;
  report.code = error.code;
  report.exit_status = error.exit_status ? error.exit_status : exit_status;
  std::snprintf(report.message, sizeof report.message, "%s", error.message.c_str());
  send_report(fd, report);
  ::_exit(125);
}

// A failed execve maps as the runtime says; anything else is the engine's.
int exit_status_for(const Error& error) {
  switch (error.code) {
    case ENOENT:
    case ENOTDIR:
    case EACCES:
    case ENOEXEC:
    case EPERM:
      return runtime::exec_error_exit_code(error.code);
    default:
      return 125;
  }
}

// Moves fd above the stdio range, keeping it open across execve.
int keep_open(int fd) {
  if (fd < 0) return -1;
  int kept = ::fcntl(fd, F_DUPFD, 10);
  return kept;
}

// The descriptors the monitor inherits (-1: none).
struct MonitorFds {
  int out = -1, err = -1, in = -1, tty = -1, sync = -1, forward_out = -1, forward_err = -1;
};

std::vector<std::string> monitor_args(const MonitorLaunch& launch, pid_t init,
                                      const MonitorFds& fds) {
  std::vector<std::string> args = {launch.monitor_path,  "--id",
                                   launch.container_id,  "--pid",
                                   std::to_string(init), "--log-driver",
                                   launch.log_driver,    "--exit-file",
                                   launch.exit_file,     "--attach-socket",
                                   launch.attach_socket};
  auto add_fd = [&](const char* option, int fd) {
    if (fd >= 0) args.insert(args.end(), {option, std::to_string(fd)});
  };
  add_fd("--stdout-fd", fds.out);
  add_fd("--stderr-fd", fds.err);
  add_fd("--tty-fd", fds.tty);
  if (launch.log_driver != "none") args.insert(args.end(), {"--log-path", launch.log_path});
  if (launch.log_max_size)
    args.insert(args.end(), {"--log-max-size", std::to_string(launch.log_max_size)});
  add_fd("--stdin-fd", fds.in);
  add_fd("--sync-fd", fds.sync);
  add_fd("--forward-stdout-fd", fds.forward_out);
  add_fd("--forward-stderr-fd", fds.forward_err);
  for (const auto& arg : launch.exit_command) args.insert(args.end(), {"--exit-command", arg});
  if (launch.healthcheck_interval_ms > 0 && !launch.healthcheck_command.empty()) {
    args.insert(args.end(),
                {"--healthcheck-interval-ms", std::to_string(launch.healthcheck_interval_ms)});
    for (const auto& arg : launch.healthcheck_command)
      args.insert(args.end(), {"--healthcheck-command", arg});
  }
  return args;
}

struct Pipe {
  base::UniqueFd read, write;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return base::fail_errno("creating a pipe");
  return Pipe{base::UniqueFd(fds[0]), base::UniqueFd(fds[1])};
}

// The container's stdio when it has no terminal: pipes for its output (and
// its input with kPipe), or the caller's descriptors.
struct PipeStdio {
  std::optional<Pipe> out, err, in;
  base::UniqueFd null_in;
};

// Waits until the container's network is usable: the helper's first
// process has exited leaving its ready file, or (with a route socket) the
// namespace has the default routes the helper adds last. False when the
// helper exited without its ready file.
bool wait_for_network(const MonitorLaunch& launch) {
  net::DefaultRoutes seen;
  bool watching = launch.network_route_fd >= 0;
  for (;;) {
    pollfd fds[2] = {{launch.network_pidfd, POLLIN, 0}, {launch.network_route_fd, POLLIN, 0}};
    if (::poll(fds, watching ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      fds[0].revents = POLLIN;  // cannot wait any other way: check the file
    }
    if (fds[0].revents) return ::access(launch.network_ready_file.c_str(), F_OK) == 0;
    // A socket that overflowed says nothing more: wait for the helper.
    if (!net::read_route_changes(launch.network_route_fd, seen)) watching = false;
    if (watching && seen.cover(launch.network_routes)) return true;
  }
}

[[noreturn]] void become_monitor(const MonitorLaunch& launch, int report_fd, int sync_fd) {
  ::setsid();
  bool tty = launch.spec->process.terminal;
  runtime::CreateOptions create = launch.create;
  PipeStdio stdio;
  if (!tty) {
    auto out = make_pipe();
    auto err = make_pipe();
    if (!out || !err) report_failure(report_fd, out ? err.error() : out.error(), 125);
    stdio.out = std::move(*out);
    stdio.err = std::move(*err);
    if (launch.stdin_fd == MonitorLaunch::kPipe) {
      auto pipe = make_pipe();
      if (!pipe) report_failure(report_fd, pipe.error(), 125);
      stdio.in = std::move(*pipe);
      create.stdin_fd = stdio.in->read.get();
    } else if (launch.stdin_fd >= 0) {
      create.stdin_fd = launch.stdin_fd;
    } else {
      stdio.null_in.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
      create.stdin_fd = stdio.null_in.get();
    }
    create.stdout_fd = stdio.out->write.get();
    create.stderr_fd = stdio.err->write.get();
  }
  auto process = runtime::create_container(*launch.spec, create);
  if (!process) report_failure(report_fd, process.error(), 125);
  if (launch.network_pidfd >= 0 && !wait_for_network(launch))
    report_failure(report_fd, Error{EIO, "the container's network helper failed", 125}, 125);
  base::UniqueFd console = process->take_console();
  if (auto started = runtime::start_container(*process); !started)
    report_failure(report_fd, started.error(), exit_status_for(started.error()));
  pid_t init = process->release();
  MonitorFds fds;
  if (tty) {
    fds.tty = keep_open(console.get());
  } else {
    // Only the container holds the write ends now, so the monitor sees EOF
    // when the last process in it closes them.
    stdio.out->write.reset();
    stdio.err->write.reset();
    if (stdio.in) stdio.in->read.reset();
    stdio.null_in.reset();
    fds.out = keep_open(stdio.out->read.get());
    fds.err = keep_open(stdio.err->read.get());
    fds.in = stdio.in ? keep_open(stdio.in->write.get()) : -1;
  }
  fds.sync = launch.foreground ? keep_open(sync_fd) : -1;
  fds.forward_out = keep_open(launch.forward_stdout);
  fds.forward_err = tty ? -1 : keep_open(launch.forward_stderr);
  auto args = monitor_args(launch, init, fds);
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  StartReport report;
  report.kind = StartReport::kStarted;
  report.pid = init;
  send_report(report_fd, report, tty && launch.return_console ? console.get() : -1);
  // The monitor must not hold the CLI's terminal or pipes: `$(burrow run
  // -d ...)` would otherwise wait for the container to end.
  int null_fd = ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3; ++fd) ::dup2(null_fd, fd);
  ::execv(launch.monitor_path.c_str(), argv.data());
  // The container runs but nothing watches it: stop it rather than leave it.
  ::kill(init, SIGKILL);
  ::_exit(125);
}

struct ChildArgs {
  const MonitorLaunch* launch;
  int report_read, report_write, sync_cli, sync_monitor;
};

int monitor_child(void* arg) {
  const auto* args = static_cast<const ChildArgs*>(arg);
  ::close(args->report_read);
  if (args->sync_cli >= 0) ::close(args->sync_cli);
  become_monitor(*args->launch, args->report_write, args->sync_monitor);
}

}  // namespace

Result<SpawnedMonitor> spawn_monitor(const MonitorLaunch& launch) {
  int report_pair[2], sync_pair[2] = {-1, -1};
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, report_pair) != 0)
    return base::fail_errno("creating the monitor's report socket");
  base::UniqueFd report_read(report_pair[0]), report_write(report_pair[1]);
  if (launch.foreground && ::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync_pair) != 0)
    return base::fail_errno("creating the monitor's sync socket");
  base::UniqueFd sync_cli(sync_pair[0]), sync_monitor(sync_pair[1]);

  // The child shares our memory and we sleep until it has exec'd the
  // monitor (CLONE_VM | CLONE_VFORK, as posix_spawn does): a fork would copy
  // the page tables and then fault on every page either side writes, which
  // cost more than the rest of a container start. Being single-threaded and
  // suspended, we leave it a consistent heap; it touches none of our objects
  // (raw fds only) and ends in execve or _exit.
  constexpr size_t kStackSize = 1 << 20;
  void* stack = ::mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return base::fail_errno("allocating the monitor's start stack");
  ChildArgs args{&launch, report_read.get(), report_write.get(), sync_cli.get(),
                 sync_monitor.get()};
  pid_t pid = ::clone(monitor_child, static_cast<char*>(stack) + kStackSize,
                      CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  int clone_errno = errno;
  ::munmap(stack, kStackSize);
  if (pid < 0) {
    errno = clone_errno;
    return base::fail_errno("starting the container monitor");
  }
  report_write.reset();
  sync_monitor.reset();
  ReceivedReport received = receive_report(report_read.get());
  StartReport& report = received.report;
  if (received.length != static_cast<ssize_t>(sizeof report))
    return base::fail(EIO, "the container monitor died before the container started");
  if (report.kind != StartReport::kStarted) {
    report.message[sizeof report.message - 1] = '\0';
    Error error{report.code, report.message, report.exit_status};
    return tl::unexpected(error);
  }
  base::debug("monitor {} runs container init {}", pid, report.pid);
  return SpawnedMonitor{pid, report.pid, std::move(sync_cli), std::move(received.fd)};
}

Result<std::string> self_executable() {
  char path[4096];
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return base::fail_errno("finding the burrow executable");
  return std::string(path, static_cast<size_t>(n));
}

Result<std::string> find_monitor(const std::string& self) {
  std::string dir = self.substr(0, self.rfind('/'));
  for (const auto& candidate :
       {dir + "/burrow-monitor", dir + "/../libexec/burrow/burrow-monitor"}) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return base::failf(ENOENT,
                     "burrow-monitor was not found beside {} or in {}/../libexec/burrow: "
                     "install it with burrow (scripts/quickstart does)",
                     self, dir);
}

}  // namespace burrow::engine

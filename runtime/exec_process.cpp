// `burrow exec`: exec_in_container() runs in the CLI (single-threaded) and
// prepares everything before clone3(); run_exec_child() runs in the new
// process until execve() and, like the container init, allocates nothing and
// reports a failure over a close-on-exec status socket before it exits. When
// the container has its own pid namespace, a short-lived helper process
// (run_pid_namespace_helper) sits between the two.
#include "runtime/exec_process.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/linux_container.h"
#include "runtime/process_setup.h"

namespace burrow::runtime {

using base::fail;
using base::fail_errno;
using base::failf;
using base::UniqueFd;

namespace {

// The signals a foreground `burrow exec` passes on to its process.
constexpr int kForwardedSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

struct NamespaceKind {
  const char* name;  // under /proc/PID/ns/
  int type;          // CLONE_NEW*
};

// The order they are joined in: the user namespace first, so that the others
// are joined with the capabilities it grants; mnt last, because joining it
// moves our root and cwd to the container's root. The pid namespace is
// entered before the child exists (see clone_in_pid_namespace).
constexpr NamespaceKind kJoinOrder[] = {{"user", CLONE_NEWUSER},     {"ipc", CLONE_NEWIPC},
                                        {"uts", CLONE_NEWUTS},       {"net", CLONE_NEWNET},
                                        {"cgroup", CLONE_NEWCGROUP}, {"mnt", CLONE_NEWNS}};

struct NamespaceToJoin {
  UniqueFd fd;
  int type;
  const char* name;
};

// The container's namespaces, opened before anything is forked, so that
// they stay valid even if the init exits meanwhile.
struct ContainerNamespaces {
  std::vector<NamespaceToJoin> join;  // in kJoinOrder, without those we share
  UniqueFd pid;                       // invalid when we share it
};

// Everything the child reads, prepared before clone3 so that it allocates
// nothing. Not movable: identity and argv/envp point into it.
struct ExecConfig {
  ExecConfig() = default;
  ExecConfig(const ExecConfig&) = delete;
  ExecConfig& operator=(const ExecConfig&) = delete;

  // The child's end of a socket pair: it waits there for the caller's go
  // byte, then writes InitMessage records on it; close-on-exec, so EOF tells
  // the caller that execve succeeded. caller_fd is the caller's end, which
  // the child closes first so that the caller's exit reads as EOF.
  int sync_fd = -1;
  int caller_fd = -1;
  const std::vector<NamespaceToJoin>* join = nullptr;
  int stdio[3] = {0, 1, 2};
  // process.terminal: the child's end of the console socket; -1 otherwise.
  int console_socket = -1;
  ConsoleSize console_size;
  std::vector<std::pair<int, struct rlimit>> rlimits;
  std::string cwd;
  mode_t umask = 0022;
  std::vector<gid_t> additional_gids;
  CapabilityPlan capabilities{};
  ProcessIdentity identity;  // views into additional_gids and capabilities
  std::vector<std::string> exec_candidates;
  std::vector<std::string> args, env;
  std::vector<char*> argv, envp;  // NULL-terminated views of args and env
};

base::Error not_running(pid_t init_pid) {
  return base::Error{
      ESRCH, fmt::format("container is not running (its init, pid {}, has exited)", init_pid)};
}

Result<std::unique_ptr<ExecConfig>> prepare_exec_config(const ExecOptions& options) {
  const Process& process = options.process;
  if (options.init_pid <= 0) return fail(EINVAL, "no container init pid");
  if (process.args.empty() || process.args[0].empty()) return fail(EINVAL, "process.args is empty");
  if (process.cwd.empty() || process.cwd[0] != '/')
    return failf(EINVAL, "process.cwd \"{}\" is not an absolute path", process.cwd);
  auto config = std::make_unique<ExecConfig>();
  BURROW_TRY(config->rlimits, plan_rlimits(process.rlimits));
  auto caps = plan_capabilities(process.capabilities);
  if (!caps) return tl::unexpected(caps.error().with_context("capabilities"));
  config->capabilities = *caps;
  config->cwd = process.cwd;
  config->umask = process.user.umask.value_or(0022) & 0777;
  config->additional_gids.assign(process.user.additional_gids.begin(),
                                 process.user.additional_gids.end());
  config->identity.uid = process.user.uid;
  config->identity.gid = process.user.gid;
  config->identity.additional_gids = config->additional_gids;
  config->identity.capabilities = &config->capabilities;
  config->identity.no_new_privileges = process.no_new_privileges;
  config->identity.seccomp = options.seccomp;
  prepare_exec_arguments(*config, process.args, process.env);
  config->stdio[0] = options.stdin_fd;
  config->stdio[1] = options.stdout_fd;
  config->stdio[2] = options.stderr_fd;
  config->console_size = options.console_size;
  return config;
}

// Whether `fd` is the namespace at `own_path` (one of /proc/self/ns/*).
Result<bool> is_own_namespace(int fd, const char* own_path) {
  struct stat theirs, ours;
  if (::fstat(fd, &theirs) != 0) return fail_errno("fstat of a namespace");
  if (::stat(own_path, &ours) != 0) return fail_errno("stat {}", own_path);
  return theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
}

Result<UniqueFd> open_namespace(int proc_dir, pid_t pid, const char* name) {
  std::string path = fmt::format("ns/{}", name);
  UniqueFd fd(::openat(proc_dir, path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd) return fd;
  // A zombie init has a /proc entry but no namespaces any more.
  if (errno == ENOENT || errno == ESRCH) return tl::unexpected(not_running(pid));
  return fail_errno("opening /proc/{}/ns/{}", pid, name);
}

// Those of our own namespaces the container shares are skipped: joining them
// would change nothing but could need privileges we lack (the host's network
// namespace of a rootless --network host container, say).
Result<ContainerNamespaces> open_container_namespaces(pid_t pid) {
  std::string proc_path = fmt::format("/proc/{}", pid);
  UniqueFd proc_dir(::open(proc_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!proc_dir) {
    if (errno == ENOENT) return tl::unexpected(not_running(pid));
    return fail_errno("opening {}", proc_path);
  }
  ContainerNamespaces namespaces;
  for (const NamespaceKind& kind : kJoinOrder) {
    BURROW_TRY(UniqueFd fd, open_namespace(proc_dir.get(), pid, kind.name));
    std::string own = fmt::format("/proc/self/ns/{}", kind.name);
    BURROW_TRY(bool shared, is_own_namespace(fd.get(), own.c_str()));
    if (!shared) namespaces.join.push_back({std::move(fd), kind.type, kind.name});
  }
  BURROW_TRY(UniqueFd pid_ns, open_namespace(proc_dir.get(), pid, "pid"));
  BURROW_TRY(bool shared, is_own_namespace(pid_ns.get(), "/proc/self/ns/pid_for_children"));
  if (!shared) namespaces.pid = std::move(pid_ns);
  return namespaces;
}

[[noreturn]] void fail_step(const ExecConfig& config, const InitError& error, int exit_code) {
  write_status_message(config.sync_fd, InitMessage::kSetupFailed, error.code, error.message);
  ::_exit(exit_code);
}

[[noreturn]] void fail_exec(const ExecConfig& config, int err, const char* what) {
  char text[sizeof(InitMessage::message)];
  std::snprintf(text, sizeof text, "executing %s", what);
  write_status_message(config.sync_fd, InitMessage::kExecFailed, err, text);
  ::_exit(exec_error_exit_code(err));
}

// The child of clone3, already in the container's pid namespace. The exit
// code it dies with on failure becomes the error's exit_status.
[[noreturn]] void run_exec_child(const ExecConfig& config) {
  InitError error;
  // Dies with the caller while it is being set up (re-armed by
  // apply_identity after the credential change, cleared before execve).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  ::close(config.caller_fd);
  // Nothing happens before the caller holds our pidfd, so that it can kill
  // and reap us on any error.
  char go = 0;
  ssize_t n;
  do {
    n = ::read(config.sync_fd, &go, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1 || go != 'G') ::_exit(125);
  reset_signals();
  for (const NamespaceToJoin& ns : *config.join) {
    if (::setns(ns.fd.get(), ns.type) != 0) {
      error.set(errno, "joining the %s namespace", ns.name);
      fail_step(config, error, 125);
    }
  }
  // Its own session, as the init: the caller's terminal signals reach the
  // process only through the caller, which forwards them.
  ::setsid();
  if (!apply_rlimits(config.rlimits, error)) fail_step(config, error, 125);
  // Unlike the init, a missing working directory is not created: Podman
  // reports it with the "command not found" code.
  if (::chdir(config.cwd.c_str()) != 0) {
    error.set(errno, "chdir to %s", config.cwd.c_str());
    fail_step(config, error, exec_error_exit_code(error.code));
  }
  // After joining the mount namespace: the pty is the container's.
  bool stdio_ready = config.console_socket >= 0
                         ? setup_console(kContainerPtmx, config.console_socket, config.console_size,
                                         config.identity.uid, error)
                         : setup_stdio(config.stdio, error);
  if (!stdio_ready) fail_step(config, error, 125);
  // Nothing of the caller's but stdio may reach the container.
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  if (!apply_identity(config.identity, error)) fail_step(config, error, 125);
  ::umask(config.umask);

  int lookup_errno = 0;
  const char* program = find_program(config.exec_candidates, config.args[0], &lookup_errno);
  if (program == nullptr) fail_exec(config, lookup_errno, config.args[0].c_str());
  // Once running, the process belongs to the container like any other: a
  // caller that dies or detaches (release()) leaves it to the container's
  // init, as a Podman exec session outlives its client.
  ::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
  ::execve(program, config.argv.data(), config.envp.data());
  fail_exec(config, errno, program);
}

struct ClonedChild {
  pid_t pid = -1;
  UniqueFd pidfd;
};

// What the pid namespace helper reports: the exec process's pid, or the
// errno of the step that failed.
struct HelperReport {
  int32_t pid = -1;
  int32_t err = 0;
  int32_t joined = 0;  // setns succeeded, so err is clone3's
};

// The helper: joins the container's pid namespace (which only decides where
// its children go), clones the exec process there as the caller's child
// (CLONE_PARENT), reports its pid and exits.
[[noreturn]] void run_pid_namespace_helper(int pid_ns, int report_fd, const ExecConfig& config) {
  HelperReport report;
  if (::setns(pid_ns, CLONE_NEWPID) != 0) {
    report.err = errno;
  } else {
    report.joined = 1;
    long pid = clone_process(CLONE_PARENT, nullptr);
    if (pid == 0) {
      // Were the helper to die unreported, the caller would wait for EOF.
      ::close(report_fd);
      run_exec_child(config);
    }
    if (pid < 0)
      report.err = errno;
    else
      report.pid = static_cast<int32_t>(pid);
  }
  while (::write(report_fd, &report, sizeof report) < 0 && errno == EINTR) {
  }
  ::_exit(0);
}

// The exec process must be our child (so that we can wait for it) and in
// the container's pid namespace. setns(CLONE_NEWPID) here and back after the
// clone would do, but going back to our own pid namespace needs
// CAP_SYS_ADMIN over its owner, the initial user namespace, which a rootless
// caller lacks; so a short-lived helper enters it instead.
Result<ClonedChild> clone_in_pid_namespace(int pid_ns, pid_t init_pid, const ExecConfig& config) {
  if (pid_ns < 0) {  // the container shares ours
    int pidfd = -1;
    long pid = clone_process(0, &pidfd);
    if (pid == 0) run_exec_child(config);
    if (pid < 0) return fail_errno("clone3");
    return ClonedChild{static_cast<pid_t>(pid), UniqueFd(pidfd)};
  }
  int report_pipe[2];
  if (::pipe2(report_pipe, O_CLOEXEC) != 0) return fail_errno("pipe");
  UniqueFd report_read(report_pipe[0]), report_write(report_pipe[1]);
  long helper = clone_process(0, nullptr);
  if (helper == 0) run_pid_namespace_helper(pid_ns, report_write.get(), config);
  if (helper < 0) return fail_errno("clone3");
  report_write.reset();
  HelperReport report;
  ssize_t n;
  do {
    n = ::read(report_read.get(), &report, sizeof report);
  } while (n < 0 && errno == EINTR);
  while (::waitpid(static_cast<pid_t>(helper), nullptr, 0) < 0 && errno == EINTR) {
  }
  if (n != sizeof report) return fail(ECHILD, "the pid namespace helper died");
  if (report.pid > 0) {
    // Our unreaped child, so the pid cannot have been reused.
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, report.pid, 0)));
    if (pidfd) return ClonedChild{report.pid, std::move(pidfd)};
    int saved = errno;
    ::kill(report.pid, SIGKILL);
    while (::waitpid(report.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    errno = saved;
    return fail_errno("pidfd_open");
  }
  errno = report.err;
  if (!report.joined) return fail_errno("joining the pid namespace");
  // A pid namespace whose init has exited takes no new processes.
  if (report.err == ENOMEM) return tl::unexpected(not_running(init_pid));
  return fail_errno("clone3");
}

base::Error child_error(const InitMessage& message, int wait_status) {
  base::Error error{message.code,
                    fmt::format("{}: {}", message.message, std::strerror(message.code))};
  error.exit_status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 125;
  return error;
}

}  // namespace

ExecProcess::ExecProcess(ExecProcess&& other) noexcept { *this = std::move(other); }

ExecProcess& ExecProcess::operator=(ExecProcess&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    console_ = std::move(other.console_);
    reaped_ = other.reaped_;
  }
  return *this;
}

ExecProcess::~ExecProcess() { kill_and_reap(); }

pid_t ExecProcess::release() {
  pidfd_.reset();
  return std::exchange(pid_, -1);
}

void ExecProcess::kill_and_reap() {
  if (pid_ <= 0 || reaped_) return;
  // Through the pidfd: the pid cannot have been reused while unreaped, but
  // the pidfd says so without an argument.
  if (pidfd_)
    ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
  else
    ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

Result<ExecProcess> exec_in_container(const ExecOptions& options) {
  // Every error reads "exec: ...".
  auto failed = [](const base::Error& error) { return tl::unexpected(error.with_context("exec")); };
  auto config = prepare_exec_config(options);
  if (!config) return failed(config.error());
  auto namespaces = open_container_namespaces(options.init_pid);
  if (!namespaces) return failed(namespaces.error());
  (*config)->join = &namespaces->join;

  int sync_pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync_pair) != 0)
    return failed(fail_errno("socketpair").value());
  UniqueFd caller_end(sync_pair[0]), child_end(sync_pair[1]);
  (*config)->sync_fd = child_end.get();
  (*config)->caller_fd = caller_end.get();
  UniqueFd console_read, console_write;
  if (options.process.terminal) {
    int console_pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, console_pair) != 0)
      return failed(fail_errno("creating the console socket").value());
    console_read.reset(console_pair[0]);
    console_write.reset(console_pair[1]);
    (*config)->console_socket = console_write.get();
  }

  auto child = clone_in_pid_namespace(namespaces->pid.get(), options.init_pid, **config);
  if (!child) return failed(child.error());
  // From here on, an early return kills and reaps the child.
  ExecProcess process;
  process.pid_ = child->pid;
  process.pidfd_ = std::move(child->pidfd);
  child_end.reset();
  console_write.reset();
  if (::send(caller_end.get(), "G", 1, MSG_NOSIGNAL) != 1)
    return failed(fail_errno("starting the exec process").value());

  bool eof = false;
  auto message = read_status_message(caller_end.get(), "the exec process", &eof);
  if (!message) return failed(message.error());
  if (eof) {  // its close-on-exec end closed: execve succeeded
    if (console_read) {
      auto console = receive_console_fd(console_read.get());
      if (!console) return failed(console.error());
      process.console_ = std::move(*console);
    }
    return process;
  }
  int status = 0;
  while (::waitpid(process.pid_, &status, 0) < 0 && errno == EINTR) {
  }
  process.reaped_ = true;
  return failed(child_error(*message, status));
}

Result<int> wait_exec(ExecProcess& process) {
  if (process.pid_ <= 0 || process.reaped_) return fail(ECHILD, "no exec process to wait for");
  BURROW_TRY(int code,
             wait_forwarding_signals(process.pid_, process.pidfd_.get(), kForwardedSignals));
  process.reaped_ = true;
  return code;
}

}  // namespace burrow::runtime

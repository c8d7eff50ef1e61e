// Runs in the process that owns the container (CLI or monitor): prepares the
// InitConfig, clone()s the container init, and talks to it over two pipes.
#include "runtime/linux_container.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "base/file_util.h"
#include "base/log.h"
#include "runtime/container_init.h"
#include "runtime/process_setup.h"

namespace burrow::runtime {

using base::fail;
using base::fail_errno;
using base::failf;
using base::UniqueFd;

namespace {

// The signals a foreground caller passes on to the container.
constexpr int kForwardedSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

Result<int> namespace_flag(const std::string& type) {
  if (type == "pid") return CLONE_NEWPID;
  if (type == "network") return CLONE_NEWNET;
  if (type == "mount") return CLONE_NEWNS;
  if (type == "ipc") return CLONE_NEWIPC;
  if (type == "uts") return CLONE_NEWUTS;
  if (type == "user") return CLONE_NEWUSER;
  if (type == "cgroup") return CLONE_NEWCGROUP;
  if (type == "time") return fail(ENOTSUP, "time namespaces are not supported yet");
  return failf(EINVAL, "unknown namespace type \"{}\"", type);
}

Result<std::string> sysctl_path(const std::string& key) {
  if (key.empty() || key.find('/') != std::string::npos || key.find("..") != std::string::npos ||
      key.front() == '.' || key.back() == '.')
    return failf(EINVAL, "invalid sysctl name \"{}\"", key);
  std::string path = "/proc/sys/" + key;
  for (size_t i = 10; i < path.size(); ++i)
    if (path[i] == '.') path[i] = '/';
  return path;
}

std::string id_map_text(const std::vector<IdMapping>& mappings) {
  std::string text;
  for (const auto& m : mappings)
    text += fmt::format("{} {} {}\n", m.container_id, m.host_id, m.size);
  return text;
}

// Direct writes, which work as root and for a single mapping of one's own
// id; other cases need newuidmap/newgidmap (userns module).
Status write_id_maps(pid_t pid, const Spec& spec) {
  auto write_map = [&](const char* name, const std::vector<IdMapping>& mappings) -> Status {
    std::string path = fmt::format("/proc/{}/{}", pid, name);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return fail_errno("opening {}", path);
    if (auto s = base::write_all(fd.get(), id_map_text(mappings)); !s)
      return tl::unexpected(s.error().with_context("writing " + path));
    return base::ok();
  };
  BURROW_CHECK(write_map("uid_map", spec.linux.uid_mappings));
  auto gid = write_map("gid_map", spec.linux.gid_mappings);
  if (!gid && gid.error().code == EPERM) {
    // Without CAP_SETGID over the parent namespace the kernel wants
    // setgroups denied first.
    std::string setgroups = fmt::format("/proc/{}/setgroups", pid);
    UniqueFd fd(::open(setgroups.c_str(), O_WRONLY | O_CLOEXEC));
    if (fd && base::write_all(fd.get(), "deny"))
      gid = write_map("gid_map", spec.linux.gid_mappings);
  }
  return gid;
}

base::Error init_error(const InitMessage& message) {
  return base::Error{message.code, fmt::format("container init: {}: {}", message.message,
                                               std::strerror(message.code))};
}

int send_signal(const ContainerProcess& process, int sig) {
  if (process.pidfd() >= 0)
    return static_cast<int>(::syscall(SYS_pidfd_send_signal, process.pidfd(), sig, nullptr, 0));
  return ::kill(process.pid(), sig);
}

}  // namespace

int exec_error_exit_code(int err) { return err == ENOENT || err == ENOTDIR ? 127 : 126; }

Result<std::unique_ptr<InitConfig>> prepare_init_config(const Spec& spec,
                                                        const CreateOptions& options) {
  auto config = std::make_unique<InitConfig>();
  const Process& process = spec.process;
  if (process.args.empty() || process.args[0].empty()) return fail(EINVAL, "process.args is empty");
  if (!spec.has_namespace("mount"))
    return fail(EINVAL, "the built-in runtime needs a mount namespace");
  MountPlanOptions mount_options;
  // A new user namespace never allows mknod of a device, whatever the caller.
  bool new_user = false;
  for (const auto& ns : spec.linux.namespaces)
    new_user = new_user || (ns.type == "user" && ns.path.empty());
  mount_options.bind_devices = !options.mknod_devices || new_user;
  BURROW_TRY(config->mounts, build_mount_plan(spec, mount_options));

  bool new_uts = false;
  for (const auto& ns : spec.linux.namespaces)
    new_uts = new_uts || (ns.type == "uts" && ns.path.empty());
  if (!spec.hostname.empty()) {
    if (!new_uts) return fail(EINVAL, "setting the hostname needs a new uts namespace");
    config->hostname = spec.hostname;
  }
  for (const auto& [key, value] : spec.linux.sysctl) {
    BURROW_TRY(std::string path, sysctl_path(key));
    config->sysctls.emplace_back(std::move(path), value);
  }
  BURROW_TRY(config->rlimits, plan_rlimits(process.rlimits));
  config->oom_score_adj = process.oom_score_adj;
  config->umask = process.user.umask.value_or(0022) & 0777;
  if (process.cwd.empty() || process.cwd[0] != '/')
    return failf(EINVAL, "process.cwd \"{}\" is not an absolute path", process.cwd);
  config->cwd = process.cwd;
  config->uid = process.user.uid;
  config->gid = process.user.gid;
  config->additional_gids.assign(process.user.additional_gids.begin(),
                                 process.user.additional_gids.end());
  auto caps = plan_capabilities(process.capabilities);
  if (!caps) return tl::unexpected(caps.error().with_context("capabilities"));
  config->capabilities = *caps;
  config->no_new_privileges = process.no_new_privileges;
  config->seccomp = options.seccomp;

  prepare_exec_arguments(*config, process.args, process.env);
  config->stdio[0] = options.stdin_fd;
  config->stdio[1] = options.stdout_fd;
  config->stdio[2] = options.stderr_fd;
  config->console_size = options.console_size;
  return config;
}

ContainerProcess::ContainerProcess(ContainerProcess&& other) noexcept { *this = std::move(other); }

ContainerProcess& ContainerProcess::operator=(ContainerProcess&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    status_fd_ = std::move(other.status_fd_);
    control_fd_ = std::move(other.control_fd_);
    console_ = std::move(other.console_);
    started_ = other.started_;
    reaped_ = other.reaped_;
  }
  return *this;
}

ContainerProcess::~ContainerProcess() { kill_and_reap(); }

pid_t ContainerProcess::release() {
  pidfd_.reset();
  status_fd_.reset();
  control_fd_.reset();
  return std::exchange(pid_, -1);
}

void ContainerProcess::kill_and_reap() {
  if (pid_ <= 0 || reaped_) return;
  send_signal(*this, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

Result<ContainerProcess> create_container(const Spec& spec, const CreateOptions& options) {
  BURROW_TRY(std::unique_ptr<InitConfig> config, prepare_init_config(spec, options));

  uint64_t clone_flags = 0;
  std::vector<UniqueFd> namespace_fds;
  UniqueFd join_pid;
  bool new_user = false;
  for (const auto& ns : spec.linux.namespaces) {
    BURROW_TRY(int flag, namespace_flag(ns.type));
    if (ns.path.empty()) {
      clone_flags |= static_cast<uint64_t>(flag);
      new_user = new_user || flag == CLONE_NEWUSER;
      continue;
    }
    UniqueFd fd(::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return fail_errno("opening the {} namespace {}", ns.type, ns.path);
    if (flag == CLONE_NEWPID) {
      join_pid = std::move(fd);
      continue;
    }
    // The user namespace first: the others are then joined with its rights.
    auto where =
        flag == CLONE_NEWUSER ? config->join_namespaces.begin() : config->join_namespaces.end();
    config->join_namespaces.insert(where, {fd.get(), flag});
    namespace_fds.push_back(std::move(fd));
  }
  if (new_user && (spec.linux.uid_mappings.empty() || spec.linux.gid_mappings.empty()))
    return fail(EINVAL, "a new user namespace needs uidMappings and gidMappings");
  config->wait_for_id_maps = new_user;

  int status_pipe[2], control_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) return fail_errno("pipe");
  UniqueFd status_read(status_pipe[0]), status_write(status_pipe[1]);
  if (::pipe2(control_pipe, O_CLOEXEC) != 0) return fail_errno("pipe");
  UniqueFd control_read(control_pipe[0]), control_write(control_pipe[1]);
  config->status_fd = status_write.get();
  config->control_fd = control_read.get();
  // The console socket: the init sends its pty master here before it
  // reports ready.
  UniqueFd console_read, console_write;
  if (spec.process.terminal) {
    int console_pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, console_pair) != 0)
      return fail_errno("creating the console socket");
    console_read.reset(console_pair[0]);
    console_write.reset(console_pair[1]);
    config->console_socket = console_write.get();
  }

  // setns(CLONE_NEWPID) only moves our future children; switch back after.
  UniqueFd own_pid;
  if (join_pid) {
    own_pid.reset(::open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC));
    if (!own_pid) return fail_errno("opening /proc/self/ns/pid");
    if (::setns(join_pid.get(), CLONE_NEWPID) != 0) return fail_errno("joining the pid namespace");
  }
  int pidfd = -1;
  long pid = clone_process(clone_flags, &pidfd);
  if (pid == 0) run_container_init(*config);
  int clone_errno = errno;
  if (own_pid && ::setns(own_pid.get(), CLONE_NEWPID) != 0)
    base::warn("could not return to our own pid namespace: {}", std::strerror(errno));
  if (pid < 0) {
    errno = clone_errno;
    return fail_errno("clone3");
  }

  ContainerProcess process;
  process.pid_ = static_cast<pid_t>(pid);
  process.pidfd_.reset(pidfd);
  process.status_fd_ = std::move(status_read);
  process.control_fd_ = std::move(control_write);
  status_write.reset();
  control_read.reset();
  console_write.reset();

  if (new_user) {
    if (auto s = write_id_maps(process.pid_, spec); !s)
      return tl::unexpected(s.error().with_context("creating the user namespace"));
    if (auto s = base::write_all(process.control_fd_.get(), "M"); !s)
      return tl::unexpected(s.error());
  }

  bool eof = false;
  BURROW_TRY(InitMessage message,
             read_status_message(process.status_fd_.get(), "the container init", &eof));
  if (!eof && message.kind == InitMessage::kReady) {
    if (console_read) {
      BURROW_TRY(process.console_, receive_console_fd(console_read.get()));
    }
    return process;
  }
  if (!eof && message.kind == InitMessage::kSetupFailed) return tl::unexpected(init_error(message));
  int status = 0;
  while (::waitpid(process.pid_, &status, 0) < 0 && errno == EINTR) {
  }
  process.reaped_ = true;
  return failf(ECHILD, "container init exited with code {} before it was ready",
               exit_code_from_status(status));
}

Status start_container(ContainerProcess& process) {
  if (process.pid_ <= 0) return fail(EINVAL, "no container process");
  if (process.started_) return fail(EALREADY, "the container was already started");
  process.started_ = true;
  BURROW_CHECK(base::write_all(process.control_fd_.get(), "S"));
  process.control_fd_.reset();
  bool eof = false;
  BURROW_TRY(InitMessage message,
             read_status_message(process.status_fd_.get(), "the container init", &eof));
  process.status_fd_.reset();
  if (eof) return base::ok();  // the CLOEXEC pipe closed: execve succeeded
  return tl::unexpected(init_error(message));
}

Result<int> wait_container(ContainerProcess& process) {
  if (process.pid_ <= 0 || process.reaped_) return fail(ECHILD, "no container process to wait for");
  BURROW_TRY(int code, wait_forwarding_signals(process.pid_, process.pidfd(), kForwardedSignals));
  process.reaped_ = true;
  return code;
}

}  // namespace burrow::runtime

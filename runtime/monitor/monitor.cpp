// Runs in burrow-monitor (see monitor.h).
#include "runtime/monitor/monitor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "runtime/monitor/attach_server.h"
#include "runtime/monitor/exit_steps.h"
#include "runtime/monitor/fd_util.h"
#include "runtime/monitor/health_timer.h"
#include "runtime/monitor/log_writer.h"

namespace burrow::monitor {

namespace {

constexpr int kSyncTimeoutMs = 30000;
// After the container exits, each output is read until it is empty; a
// process it left behind may still write, so the draining is bounded.
constexpr int kMaxDrainReads = 256;

int64_t now_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

enum class ReadResult { kData, kEmpty, kEnd };

struct Output {
  int fd = -1;
  Stream stream = Stream::kStdout;
  bool ended = false;  // no longer read; the fd may stay open (see end_output)
};

class Monitor {
 public:
  explicit Monitor(const MonitorOptions& options) : options_(options) {}
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  int run();

 private:
  bool set_up();
  void become_monitor();
  bool check_fd(int fd, const char* option);
  // Kills the container when it is known to be this process's child.
  void abandon_container();
  void poll_once();
  void reap_children();
  // Reads once from the output and relays what it got.
  ReadResult read_output(Output& output);
  void end_output(Output& output);
  void relay(Stream stream, const char* data, size_t length);
  void forward(Stream stream, const char* data, size_t length);
  void handle_client(int slot);
  void write_input(const char* data, size_t length);
  void flush_input();
  void close_stdin();
  void finish();

  const MonitorOptions& options_;
  int signal_fd_ = -1;
  Output outputs_[2];
  int forward_fds_[2] = {-1, -1};  // indexed by stream - 1
  // Where clients' input goes: the stdin pipe or the tty master.
  int input_fd_ = -1;
  bool input_is_tty_ = false;
  // Input the container has not taken yet; while any is left, clients are
  // not read, so their messages stay in order and memory stays fixed.
  char pending_[kChunkSize];
  size_t pending_offset_ = 0;
  size_t pending_length_ = 0;
  bool is_parent_ = false;  // --pid was checked to be our child
  bool exited_ = false;
  int wait_status_ = 0;
  int64_t finish_ns_ = 0;
  LogWriter log_;
  AttachServer attach_;
  HealthTimer health_;
  char buffer_[kMaxClientMessage];
};

int Monitor::run() {
  if (!set_up()) {
    abandon_container();
    return 125;
  }
  while (!exited_) poll_once();
  finish();
  return 0;
}

void Monitor::become_monitor() {
  // Its own session, so the terminal's signals and hang-up do not reach it;
  // fails only when it already leads a process group, which is harmless.
  (void)::setsid();
  // Processes the container leaves behind are reparented here and reaped.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
    report("becoming a child subreaper: %s", std::strerror(errno));
  }
  struct sigaction action {};
  action.sa_handler = SIG_IGN;
  static constexpr int kIgnored[] = {SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGQUIT};
  for (int signal_number : kIgnored) {
    ::sigaction(signal_number, &action, nullptr);
  }
  // An ignored SIGCHLD inherited across execve would make the kernel reap
  // the container itself and lose its exit status.
  action.sa_handler = SIG_DFL;
  ::sigaction(SIGCHLD, &action, nullptr);
  if (::chdir("/") < 0) report("changing to /: %s", std::strerror(errno));
}

bool Monitor::check_fd(int fd, const char* option) {
  if (fd < 0 || ::fcntl(fd, F_GETFD) >= 0) return true;
  report("--%s %d: not an open file descriptor", option, fd);
  return false;
}

bool Monitor::set_up() {
  set_report_id(options_.id);
  become_monitor();
  siginfo_t child{};
  if (::waitid(P_PID, static_cast<id_t>(options_.pid), &child, WEXITED | WNOHANG | WNOWAIT) < 0) {
    report("--pid %d: not a child of the monitor: %s", options_.pid, std::strerror(errno));
    return false;
  }
  is_parent_ = true;
  if (!check_fd(options_.stdout_fd, "stdout-fd") || !check_fd(options_.stderr_fd, "stderr-fd") ||
      !check_fd(options_.tty_fd, "tty-fd") || !check_fd(options_.stdin_fd, "stdin-fd") ||
      !check_fd(options_.forward_stdout_fd, "forward-stdout-fd") ||
      !check_fd(options_.forward_stderr_fd, "forward-stderr-fd") ||
      !check_fd(options_.sync_fd, "sync-fd")) {
    return false;
  }
  // SIGCHLD through a descriptor, so the one poll() loop sees it.
  sigset_t child_signal;
  sigemptyset(&child_signal);
  sigaddset(&child_signal, SIGCHLD);
  ::sigprocmask(SIG_SETMASK, &child_signal, nullptr);
  signal_fd_ = ::signalfd(-1, &child_signal, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) {
    report("signalfd: %s", std::strerror(errno));
    return false;
  }

  if (options_.tty_fd >= 0) {
    outputs_[0] = {options_.tty_fd, Stream::kStdout};
    input_fd_ = options_.tty_fd;
    input_is_tty_ = true;
  } else {
    outputs_[0] = {options_.stdout_fd, Stream::kStdout};
    outputs_[1] = {options_.stderr_fd, Stream::kStderr};
    input_fd_ = options_.stdin_fd;
  }
  // Non-blocking, so that draining stops at "empty" even when a process the
  // container left behind keeps the other end open.
  const int read_write_fds[] = {outputs_[0].fd, outputs_[1].fd, input_fd_};
  for (int fd : read_write_fds) {
    if (fd >= 0 && set_nonblocking(fd) != 0) {
      report("making fd %d non-blocking: %s", fd, std::strerror(errno));
      return false;
    }
  }
  forward_fds_[0] = options_.forward_stdout_fd;
  forward_fds_[1] = options_.tty_fd >= 0 ? options_.forward_stdout_fd : options_.forward_stderr_fd;

  if (int error = log_.open(options_.log_driver, options_.log_path, options_.log_max_size)) {
    report("opening the log %s: %s", options_.log_path, std::strerror(error));
    return false;
  }
  if (options_.attach_socket != nullptr) {
    if (int error = attach_.listen(options_.attach_socket)) {
      report("listening at %s: %s", options_.attach_socket, std::strerror(error));
      return false;
    }
  }
  // Not fatal: the container runs on, only without periodic checks.
  if (int error = health_.start(options_.healthcheck_interval_ms, options_.healthcheck_command)) {
    report("starting the healthcheck timer: %s", std::strerror(error));
  }
  // The container may have exited before SIGCHLD was blocked, and that
  // signal is gone; collect it now.
  reap_children();
  return true;
}

void Monitor::abandon_container() {
  attach_.shut_down();
  if (!is_parent_) return;
  ::kill(options_.pid, SIGKILL);
  while (::waitpid(options_.pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

void Monitor::poll_once() {
  // Slots: signals, two outputs, listener, input, healthcheck timer, clients.
  pollfd fds[6 + kMaxAttachClients];
  int count = 0;
  auto add = [&](int fd, short events) {
    fds[count] = {fd, events, 0};
    return count++;
  };
  int signal_slot = add(signal_fd_, POLLIN);
  int output_slots[2];
  for (int i = 0; i < 2; ++i)
    output_slots[i] = add(outputs_[i].ended ? -1 : outputs_[i].fd, POLLIN);
  int listen_slot = add(attach_.listen_fd(), POLLIN);
  bool input_waiting = pending_length_ > 0;
  int input_slot = add(input_waiting ? input_fd_ : -1, POLLOUT);
  int health_slot = add(health_.fd(), POLLIN);
  int first_client = count;
  for (int slot = 0; slot < kMaxAttachClients; ++slot) {
    // Without POLLIN a hang-up is still reported.
    add(attach_.client_fd(slot), input_waiting ? 0 : POLLIN);
  }
  // poll() skips entries whose fd is negative.
  if (::poll(fds, static_cast<nfds_t>(count), -1) < 0) {
    if (errno != EINTR) report("poll: %s", std::strerror(errno));
    return;
  }
  if (fds[signal_slot].revents != 0) reap_children();
  for (int i = 0; i < 2; ++i) {
    if (fds[output_slots[i]].revents != 0 && read_output(outputs_[i]) == ReadResult::kEnd) {
      end_output(outputs_[i]);
    }
  }
  if (fds[listen_slot].revents != 0) attach_.accept_clients();
  if (fds[input_slot].revents != 0) flush_input();
  if (fds[health_slot].revents != 0) {
    if (int error = health_.on_expired()) {
      report("starting the healthcheck: %s", std::strerror(error));
    }
  }
  for (int slot = 0; slot < kMaxAttachClients; ++slot) {
    if (fds[first_client + slot].revents != 0) handle_client(slot);
  }
}

void Monitor::reap_children() {
  signalfd_siginfo info;
  while (::read(signal_fd_, &info, sizeof info) > 0) {
  }
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    if (pid <= 0) return;
    health_.on_child_exit(pid);
    if (pid == options_.pid) {
      exited_ = true;
      wait_status_ = status;
      finish_ns_ = now_ns();
    }
  }
}

ReadResult Monitor::read_output(Output& output) {
  ssize_t length;
  do {
    length = ::read(output.fd, buffer_, kChunkSize);
  } while (length < 0 && errno == EINTR);
  if (length > 0) {
    relay(output.stream, buffer_, static_cast<size_t>(length));
    return ReadResult::kData;
  }
  if (length < 0 && errno == EAGAIN) return ReadResult::kEmpty;
  // EOF; or EIO from a tty master once the last slave fd is closed.
  if (length < 0 && errno != EIO)
    report("reading the container's output: %s", std::strerror(errno));
  return ReadResult::kEnd;
}

void Monitor::end_output(Output& output) {
  output.ended = true;
  // A tty master stays open: closing it would hang up the container's
  // session and kill with SIGHUP a container that merely pointed its stdio
  // elsewhere. It is still the input, and a process may reopen the tty.
  if (!input_is_tty_) close_fd(&output.fd);
}

void Monitor::relay(Stream stream, const char* data, size_t length) {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  log_.write(stream, data, length, now);
  forward(stream, data, length);
  attach_.broadcast(stream, data, length);
}

void Monitor::forward(Stream stream, const char* data, size_t length) {
  int& fd = forward_fds_[static_cast<int>(stream) - 1];
  if (fd < 0) return;
  if (int error = write_all(fd, data, length)) {
    report("forwarding output to fd %d: %s; no longer forwarding there", fd, std::strerror(error));
    // With a tty both streams share the stdout descriptor.
    for (int& other : forward_fds_) {
      if (other == fd && &other != &fd) other = -1;
    }
    fd = -1;
  }
}

void Monitor::handle_client(int slot) {
  ssize_t length = attach_.receive(slot, buffer_, sizeof buffer_);
  if (length <= 0) return;
  ClientMessage message = parse_client_message(buffer_, static_cast<size_t>(length));
  switch (message.request) {
    case ClientRequest::kStdin:
      write_input(message.data, message.length);
      break;
    case ClientRequest::kResize:
      if (input_is_tty_) {
        winsize size{};
        size.ws_row = message.rows;
        size.ws_col = message.cols;
        if (::ioctl(input_fd_, TIOCSWINSZ, &size) < 0) {
          report("resizing the tty: %s", std::strerror(errno));
        }
      }
      break;
    case ClientRequest::kCloseStdin:
      // A tty has no separate stdin to close.
      if (!input_is_tty_) close_stdin();
      break;
    case ClientRequest::kInvalid:
      report("ignoring a malformed message from an attach client");
      break;
  }
}

void Monitor::write_input(const char* data, size_t length) {
  if (input_fd_ < 0 || length == 0) return;
  std::memcpy(pending_, data, length);
  pending_offset_ = 0;
  pending_length_ = length;
  flush_input();
}

void Monitor::flush_input() {
  while (pending_length_ > 0) {
    ssize_t written = ::write(input_fd_, pending_ + pending_offset_, pending_length_);
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;  // poll_once waits for POLLOUT
      report("writing to the container's stdin: %s; dropping input", std::strerror(errno));
      pending_length_ = 0;
      if (!input_is_tty_) close_stdin();
      return;
    }
    pending_offset_ += static_cast<size_t>(written);
    pending_length_ -= static_cast<size_t>(written);
  }
}

void Monitor::close_stdin() {
  close_fd(&input_fd_);
  pending_length_ = 0;
}

void Monitor::finish() {
  health_.stop();
  for (Output& output : outputs_) {
    for (int reads = 0; output.fd >= 0 && !output.ended && reads < kMaxDrainReads; ++reads) {
      ReadResult result = read_output(output);
      if (result == ReadResult::kEnd) end_output(output);
      if (result != ReadResult::kData) break;
    }
  }
  // Every record is already write()n: readers see it without an fsync, which
  // would put disk latency on each container's exit (conmon does not either).
  log_.close();

  int exit_code = exit_code_from_status(wait_status_);
  if (int error = write_exit_file(options_.exit_file, exit_code, finish_ns_)) {
    report("writing the exit file %s: %s", options_.exit_file, std::strerror(error));
  }
  // Attach clients learn the code before the socket goes away, and before
  // the exit command (which may remove the container's directory) runs.
  attach_.finish(exit_code);
  attach_.shut_down();

  bool handed_over =
      options_.sync_fd >= 0 && cli_took_over(options_.sync_fd, exit_code, kSyncTimeoutMs);
  if (!handed_over && options_.exit_command_count > 0) {
    int status = run_exit_command(options_.exit_command);
    if (status < 0) {
      report("starting the exit command %s: %s", options_.exit_command[0], std::strerror(errno));
    } else if (status != 0) {
      report("exit command %s ended with status %d", options_.exit_command[0],
             exit_code_from_status(status));
    }
  }
}

}  // namespace

int run_monitor(const MonitorOptions& options) {
  // Static: the buffers would otherwise make a large stack frame; only the
  // pages actually touched become resident.
  static Monitor monitor(options);
  return monitor.run();
}

}  // namespace burrow::monitor

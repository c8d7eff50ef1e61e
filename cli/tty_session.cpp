// Runs in the CLI (see tty_session.h).
#include "cli/tty_session.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "cli/session.h"
#include "cli/terminal.h"
#include "runtime/exec_process.h"

namespace burrow::cli {
namespace {

constexpr size_t kOutputChunk = 8192;

enum class Drain { kData, kEmpty, kEnd };

// Reads `fd` once and copies what it got to stdout. A pty master reads EIO
// once no process has its peer open.
Result<Drain> copy_once(int fd) {
  char buffer[kOutputChunk];
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return Drain::kEmpty;
  if (n < 0 && errno != EIO) return base::fail_errno("reading the container's output");
  if (n <= 0) return Drain::kEnd;
  BURROW_CHECK(write_fully(STDOUT_FILENO, std::string_view(buffer, static_cast<size_t>(n))));
  return Drain::kData;
}

// Copies what `fd` (non-blocking) holds now; false once it ended.
Result<bool> copy_available(int fd) {
  for (;;) {
    BURROW_TRY(Drain drained, copy_once(fd));
    if (drained == Drain::kEnd) return false;
    if (drained == Drain::kEmpty) return true;
  }
}

void resize_pty(int master, runtime::ConsoleSize size) {
  winsize window{};
  window.ws_row = size.rows;
  window.ws_col = size.cols;
  (void)::ioctl(master, TIOCSWINSZ, &window);
}

Status set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
    return base::fail_errno("making fd {} non-blocking", fd);
  return base::ok();
}

// Writes input to the pty master, relaying the output (`output`, -1 once
// it ended) while the master is full: a process blocked on writing its
// output reads no more input, so waiting for room alone could deadlock.
Result<bool> write_input(int master, std::string_view bytes, int& output) {
  while (!bytes.empty()) {
    ssize_t n = ::write(master, bytes.data(), bytes.size());
    if (n >= 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return false;  // EIO: nobody has the terminal open
    pollfd fds[2] = {{master, POLLOUT, 0}, {output, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return base::fail_errno("poll");
    // A hang-up without room: the container's side of the terminal is
    // closed, so the rest of the input has nowhere to go.
    if ((fds[0].revents & (POLLHUP | POLLERR)) && !(fds[0].revents & POLLOUT)) return false;
    if (output >= 0 && fds[1].revents != 0) {
      BURROW_TRY(bool open, copy_available(output));
      if (!open) output = -1;
    }
  }
  return true;
}

// A container under its monitor: output through the forward pipe, input
// and resizes straight to the pty master, the end when the monitor reports
// the exit code on the sync socket.
class MonitoredTtyPeer : public SessionPeer {
 public:
  MonitoredTtyPeer(int output, int master, int sync)
      : output_(output), master_(master), sync_(sync) {}

  int poll_fds(pollfd* fds) override {
    fds[0] = {output_, POLLIN, 0};
    fds[1] = {sync_, POLLIN, 0};
    return 2;
  }

  Result<bool> on_ready(const pollfd* fds, int) override {
    if (fds[0].revents != 0) {
      BURROW_TRY(bool open, copy_available(output_));
      if (!open) output_ = -1;
    }
    if (fds[1].revents == 0) return true;
    // The monitor forwards all output before it reports the exit.
    if (output_ >= 0) BURROW_CHECK(copy_available(output_));
    return false;
  }

  Result<bool> send_input(std::string_view bytes) override {
    return write_input(master_, bytes, output_);
  }
  void close_input() override {}
  void resize(runtime::ConsoleSize size) override { resize_pty(master_, size); }

 private:
  int output_, master_, sync_;
};

// An exec'd process whose pty master the CLI holds: output read from the
// master, the end when the process exits (its pidfd).
class ExecTtyPeer : public SessionPeer {
 public:
  ExecTtyPeer(int master, int pidfd) : master_(master), reading_(master), pidfd_(pidfd) {}

  int poll_fds(pollfd* fds) override {
    fds[0] = {reading_, POLLIN, 0};
    fds[1] = {pidfd_, POLLIN, 0};
    return 2;
  }

  Result<bool> on_ready(const pollfd* fds, int) override {
    if (fds[0].revents != 0) {
      BURROW_TRY(bool open, copy_available(reading_));
      if (!open) reading_ = -1;
    }
    if (fds[1].revents == 0) return true;
    if (reading_ >= 0) BURROW_CHECK(copy_available(reading_));
    return false;
  }

  Result<bool> send_input(std::string_view bytes) override {
    return write_input(master_, bytes, reading_);
  }
  void close_input() override {}
  void resize(runtime::ConsoleSize size) override { resize_pty(master_, size); }

 private:
  int master_, reading_, pidfd_;
};

SessionOptions session_options(const AttachFlags& flags, std::string keys, pid_t target) {
  SessionOptions options;
  options.input_fd = flags.interactive ? STDIN_FILENO : -1;
  // Detaching needs keys to be read.
  options.detach_keys = flags.interactive ? std::move(keys) : "";
  options.tty = true;
  if (flags.sig_proxy) options.proxy_signal = [target](int sig) { ::kill(target, sig); };
  return options;
}

}  // namespace

Result<std::string> detach_sequence(const AttachFlags& flags) {
  return parse_detach_keys(flags.detach_keys.value_or(kDefaultDetachKeys));
}

Result<TtyStart> prepare_tty_start() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return base::fail_errno("creating the output pipe");
  TtyStart start;
  start.output.reset(fds[0]);
  start.output_write.reset(fds[1]);
  BURROW_CHECK(set_nonblocking(start.output.get()));
  start.io.foreground = true;
  start.io.stdout_fd = start.output_write.get();
  start.io.console_size = own_terminal_size().value_or(runtime::ConsoleSize{});
  return start;
}

Result<int> attach_tty_foreground(engine::Engine& engine, engine::StartedContainer& started,
                                  TtyStart& start, const AttachFlags& flags) {
  start.output_write.reset();  // the monitor has its own copy
  BURROW_TRY(std::string keys, detach_sequence(flags));
  int master = started.monitor.console.get();
  if (master < 0) return base::fail(EPROTO, "the container's monitor did not send its terminal");
  // Shared with the monitor, which wants it non-blocking too.
  BURROW_CHECK(set_nonblocking(master));
  MonitoredTtyPeer peer(start.output.get(), master, started.monitor.sync.get());
  SessionOptions options = session_options(flags, std::move(keys), started.monitor.init_pid);
  Result<SessionEnd> end = SessionEnd::kEnded;
  {
    std::optional<RawTerminal> raw;
    if (flags.interactive) raw.emplace(STDIN_FILENO);
    end = run_session(peer, options);
  }
  if (!end || *end == SessionEnd::kDetached) {
    // The monitor carries on alone and cleans up, as after `run -d`.
    engine::detach_foreground(started);
    if (!end) return tl::unexpected(end.error());
    return 0;
  }
  return engine::finish_foreground(engine, started);
}

Result<int> exec_with_tty(engine::Engine& engine, engine::ExecRequest request,
                          const AttachFlags& flags) {
  BURROW_TRY(std::string keys, detach_sequence(flags));
  request.tty = true;
  request.console_size = own_terminal_size().value_or(runtime::ConsoleSize{});
  BURROW_TRY(runtime::ExecProcess process, engine::start_exec(engine, request));
  base::UniqueFd master = process.take_console();
  if (!master) return base::fail(EPROTO, "the exec'd process did not send its terminal");
  BURROW_CHECK(set_nonblocking(master.get()));
  ExecTtyPeer peer(master.get(), process.pidfd());
  SessionOptions options = session_options(flags, std::move(keys), process.pid());
  Result<SessionEnd> end = SessionEnd::kEnded;
  {
    std::optional<RawTerminal> raw;
    if (flags.interactive) raw.emplace(STDIN_FILENO);
    end = run_session(peer, options);
  }
  if (!end) return tl::unexpected(end.error());
  if (*end == SessionEnd::kDetached) {
    BURROW_CHECK(runtime::hold_console_in_background(std::move(master)));
    process.release();
    return 0;
  }
  return runtime::wait_exec(process);
}

}  // namespace burrow::cli

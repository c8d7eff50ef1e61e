// `burrow attach` (and `burrow container attach`): connects the CLI's
// stdio to a running container through its monitor's attach socket
// (runtime/monitor/attach_server.h has the protocol).
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/session.h"
#include "cli/terminal.h"
#include "cli/tty_session.h"
#include "engine/container_config.h"
#include "engine/container_lifecycle.h"
#include "engine/container_state.h"

namespace burrow::cli {
namespace {

// The attach protocol's message types and its largest payload.
constexpr unsigned char kStdinMessage = 0, kResizeMessage = 1, kCloseStdinMessage = 2;
constexpr unsigned char kStdoutMessage = 1, kStderrMessage = 2, kExitMessage = 3;
constexpr size_t kMaxPayload = 8192;

// A sockaddr_un holds 107 bytes of path, less than deep run roots need; the
// socket's directory is then reached through /proc/self/fd.
Result<base::UniqueFd> connect_attach_socket(const std::string& path) {
  base::UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!fd) return base::fail_errno("creating a socket");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  base::UniqueFd directory;
  std::string target = path;
  if (path.size() >= sizeof address.sun_path) {
    std::string dir = path.substr(0, path.rfind('/'));
    directory.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!directory) return base::fail_errno("opening {}", dir);
    target = fmt::format("/proc/self/fd/{}/{}", directory.get(), path.substr(path.rfind('/') + 1));
  }
  if (target.size() >= sizeof address.sun_path)
    return base::failf(ENAMETOOLONG, "the attach socket path {} is too long", path);
  std::memcpy(address.sun_path, target.c_str(), target.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    return base::fail_errno("connecting to the container's monitor at {}", path);
  return fd;
}

Status send_message(int fd, unsigned char type, std::string_view payload) {
  char message[1 + kMaxPayload];
  message[0] = static_cast<char>(type);
  std::memcpy(message + 1, payload.data(), payload.size());
  ssize_t n;
  do {
    n = ::send(fd, message, 1 + payload.size(), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return base::fail_errno("writing to the container's monitor");
  return base::ok();
}

// The monitor's side of the session: output messages until the exit code.
class AttachPeer : public SessionPeer {
 public:
  AttachPeer(int socket, bool tty) : socket_(socket), tty_(tty) {}

  std::optional<int> exit_code() const { return exit_code_; }

  int poll_fds(pollfd* fds) override {
    fds[0] = {socket_, POLLIN, 0};
    return 1;
  }

  Result<bool> on_ready(const pollfd* fds, int) override {
    if (fds[0].revents == 0) return true;
    char message[1 + kMaxPayload + 64];
    for (;;) {
      ssize_t n = ::recv(socket_, message, sizeof message, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return true;
      if (n < 0) return base::fail_errno("reading from the container's monitor");
      if (n == 0) return base::fail(EPIPE, "the container's monitor closed the connection");
      BURROW_TRY(bool going, handle(message, static_cast<size_t>(n)));
      if (!going) return false;
    }
  }

  Result<bool> send_input(std::string_view bytes) override {
    while (!bytes.empty()) {
      std::string_view part = bytes.substr(0, kMaxPayload);
      if (auto sent = send_message(socket_, kStdinMessage, part); !sent) return false;
      bytes.remove_prefix(part.size());
    }
    return true;
  }

  void close_input() override {
    // A tty has no stdin of its own to close.
    if (!tty_) (void)send_message(socket_, kCloseStdinMessage, "");
  }

  void resize(runtime::ConsoleSize size) override {
    if (!tty_) return;
    char payload[2 * sizeof(uint16_t)];
    std::memcpy(payload, &size.rows, sizeof size.rows);
    std::memcpy(payload + sizeof size.rows, &size.cols, sizeof size.cols);
    (void)send_message(socket_, kResizeMessage, std::string_view(payload, sizeof payload));
  }

 private:
  Result<bool> handle(const char* message, size_t length) {
    std::string_view payload(message + 1, length - 1);
    switch (static_cast<unsigned char>(message[0])) {
      case kStdoutMessage:
        BURROW_CHECK(write_fully(STDOUT_FILENO, payload));
        return true;
      case kStderrMessage:
        BURROW_CHECK(write_fully(STDERR_FILENO, payload));
        return true;
      case kExitMessage:
        exit_code_ = std::atoi(std::string(payload).c_str());
        return false;
      default:
        return true;  // a newer monitor's message: not for us
    }
  }

  int socket_;
  bool tty_;
  std::optional<int> exit_code_;
};

// The monitor runs the exit command (cleanup, --rm) after telling us the
// exit code; waiting for it means the container is finished on return.
void wait_for_monitor(const engine::ContainerRecord& record) {
  if (!record.monitor_pid || *record.monitor_pid <= 0) return;
  base::UniqueFd pidfd(
      static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(*record.monitor_pid), 0)));
  if (!pidfd) return;
  pollfd wait{pidfd.get(), POLLIN, 0};
  // Bounded: a monitor stuck in its exit command must not hang attach.
  (void)::poll(&wait, 1, 60000);
}

struct AttachCommandFlags {
  std::string name;
  bool no_stdin = false;
  AttachFlags session{true, std::nullopt, true};
};

Result<int> attach(Context& ctx, const AttachCommandFlags& flags) {
  BURROW_TRY(std::string keys, detach_sequence(flags.session));
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kModify));
  BURROW_TRY(auto record, engine::refresh_container(*engine, flags.name));
  if (!engine::is_active(record.state) || !engine::init_alive(record))
    return base::failf(EINVAL,
                       "you can only attach to running containers: container {} is {}; start it "
                       "with `burrow start --attach {}`",
                       record.name, record.state, record.name);
  BURROW_TRY(auto stored, engine::stored_config(record));
  bool tty = stored.options.tty;
  BURROW_TRY(base::UniqueFd socket,
             connect_attach_socket(engine::attach_socket_path(engine->paths(), record.id)));
  AttachPeer peer(socket.get(), tty);
  SessionOptions options;
  options.input_fd = flags.no_stdin ? -1 : STDIN_FILENO;
  options.detach_keys = flags.no_stdin ? "" : keys;
  options.tty = tty;
  pid_t init = static_cast<pid_t>(*record.pid);
  if (flags.session.sig_proxy) options.proxy_signal = [init](int sig) { ::kill(init, sig); };
  Result<SessionEnd> end = SessionEnd::kEnded;
  {
    std::optional<RawTerminal> raw;
    if (tty && !flags.no_stdin) raw.emplace(STDIN_FILENO);
    end = run_session(peer, options);
  }
  if (!end) return tl::unexpected(end.error());
  if (*end == SessionEnd::kDetached) return 0;
  wait_for_monitor(record);
  if (!peer.exit_code())
    return base::fail(EIO, "the container's monitor ended the session without an exit code");
  return *peer.exit_code();
}

}  // namespace

void add_attach(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<AttachCommandFlags>();
  if (!ctx.wanted(app, "attach")) return;
  auto* cmd = app.add_subcommand("attach", "Attach to a running container");
  cmd->add_option("--detach-keys", flags->session.detach_keys,
                  "Keys that detach from the container (default ctrl-p,ctrl-q; \"\" disables)");
  cmd->add_flag("--no-stdin", flags->no_stdin, "Do not attach stdin");
  cmd->add_option("--sig-proxy", flags->session.sig_proxy,
                  "Pass received signals on to the container (default true)");
  cmd->add_option("CONTAINER", flags->name, "The container")->required();
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return attach(ctx, *flags); }); });
}

}  // namespace burrow::cli

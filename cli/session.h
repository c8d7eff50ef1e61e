// An attached session: the CLI's stdin goes to a container (through the
// detach-key filter), the container's output comes back, the CLI's window
// size follows SIGWINCH, and the signals the CLI receives are passed on.
// One poll() loop in the CLI process; the other side is a SessionPeer (the
// pty master itself, or the monitor's attach socket).
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "runtime/console.h"

namespace burrow::cli {

// The container side of a session.
class SessionPeer {
 public:
  virtual ~SessionPeer() = default;
  // Up to kMaxPeerFds descriptors to poll for input (output to relay, or
  // the end of the session); returns how many it wrote to `fds`.
  static constexpr int kMaxPeerFds = 2;
  virtual int poll_fds(pollfd* fds) = 0;
  // Called with the polled entries after poll(); returns false once the
  // session has ended (the container or process exited).
  virtual Result<bool> on_ready(const pollfd* fds, int count) = 0;
  // Input for the container's stdin; false when it can take no more.
  virtual Result<bool> send_input(std::string_view bytes) = 0;
  // The CLI's stdin reached its end.
  virtual void close_input() = 0;
  virtual void resize(runtime::ConsoleSize size) = 0;
};

struct SessionOptions {
  int input_fd = -1;        // the CLI's stdin, or -1 when not attached
  std::string detach_keys;  // parsed (parse_detach_keys); "" cannot detach
  bool tty = false;         // follow the CLI's window size
  // Receives SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 while the
  // session runs (--sig-proxy); null leaves their dispositions alone.
  std::function<void(int)> proxy_signal;
};

enum class SessionEnd { kEnded, kDetached };

// Runs the session until the peer ends it or the detach keys are typed.
Result<SessionEnd> run_session(SessionPeer& peer, const SessionOptions& options);

// write() of all of `data` to `fd`, waiting (poll) while a non-blocking fd
// is full.
Status write_fully(int fd, std::string_view data);

}  // namespace burrow::cli

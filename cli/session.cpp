// Runs in the CLI (see session.h).
#include "cli/session.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

#include "base/scope_exit.h"
#include "base/unique_fd.h"
#include "cli/terminal.h"

namespace burrow::cli {
namespace {

constexpr int kProxiedSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
constexpr size_t kInputChunk = 4096;

// Reads the CLI's stdin once. Returns false at its end.
Result<bool> read_input(int fd, DetachMatcher& matcher, SessionPeer& peer, bool* detached) {
  char buffer[kInputChunk];
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return true;
    return base::fail_errno("reading stdin");
  }
  if (n == 0) return false;
  std::string forward;
  *detached = matcher.feed(std::string_view(buffer, static_cast<size_t>(n)), forward);
  if (!forward.empty()) {
    BURROW_TRY(bool taken, peer.send_input(forward));
    if (!taken) return false;
  }
  return true;
}

}  // namespace

Status write_fully(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) return base::fail_errno("writing to fd {}", fd);
      pollfd wait{fd, POLLOUT, 0};
      if (::poll(&wait, 1, -1) < 0 && errno != EINTR) return base::fail_errno("poll");
      if ((wait.revents & (POLLHUP | POLLERR | POLLNVAL)) && !(wait.revents & POLLOUT))
        return base::failf(EPIPE, "the other end of fd {} is closed", fd);
      continue;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return base::ok();
}

Result<SessionEnd> run_session(SessionPeer& peer, const SessionOptions& options) {
  sigset_t handled, previous;
  sigemptyset(&handled);
  if (options.tty) sigaddset(&handled, SIGWINCH);
  if (options.proxy_signal)
    for (int sig : kProxiedSignals) sigaddset(&handled, sig);
  if (::sigprocmask(SIG_BLOCK, &handled, &previous) != 0) return base::fail_errno("sigprocmask");
  base::ScopeExit restore([&] { ::sigprocmask(SIG_SETMASK, &previous, nullptr); });
  base::UniqueFd signals(::signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signals) return base::fail_errno("signalfd");

  // The window may have changed since the container's terminal was sized.
  if (options.tty) {
    if (auto size = own_terminal_size()) peer.resize(*size);
  }
  DetachMatcher matcher(options.detach_keys);
  int input = options.input_fd;
  for (;;) {
    pollfd fds[2 + SessionPeer::kMaxPeerFds];
    fds[0] = {signals.get(), POLLIN, 0};
    fds[1] = {input, POLLIN, 0};
    int peer_count = peer.poll_fds(fds + 2);
    if (::poll(fds, static_cast<nfds_t>(2 + peer_count), -1) < 0) {
      if (errno == EINTR) continue;
      return base::fail_errno("poll");
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info;
      while (::read(signals.get(), &info, sizeof info) == sizeof info) {
        int sig = static_cast<int>(info.ssi_signo);
        if (sig == SIGWINCH) {
          if (auto size = own_terminal_size()) peer.resize(*size);
        } else if (options.proxy_signal) {
          options.proxy_signal(sig);
        }
      }
    }
    if (fds[1].revents != 0) {
      bool detached = false;
      BURROW_TRY(bool open, read_input(input, matcher, peer, &detached));
      if (detached) return SessionEnd::kDetached;
      if (!open) {
        peer.close_input();
        input = -1;
      }
    }
    BURROW_TRY(bool going, peer.on_ready(fds + 2, peer_count));
    if (!going) return SessionEnd::kEnded;
  }
}

}  // namespace burrow::cli

// The console socket's two ends: the child half runs in the container init
// or an exec child before execve (no allocation); receive_console_fd runs in
// the creator (the CLI, or the CLI's child that becomes the monitor).
#include "runtime/console.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/fd_passing.h"

namespace burrow::runtime {

bool open_pty(const char* ptmx, ConsoleSize size, int* master, int* peer, InitError& error) {
  int fd = ::open(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return error.set(errno, "opening %s", ptmx);
  int unlock = 0;
  if (::ioctl(fd, TIOCSPTLCK, &unlock) != 0) {
    int saved = errno;
    ::close(fd);
    return error.set(saved, "unlocking the pty of %s", ptmx);
  }
  if (size.rows != 0 || size.cols != 0) {
    winsize window{};
    window.ws_row = size.rows;
    window.ws_col = size.cols;
    if (::ioctl(fd, TIOCSWINSZ, &window) != 0) {
      int saved = errno;
      ::close(fd);
      return error.set(saved, "setting the pty's window size");
    }
  }
  int other = ::ioctl(fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (other < 0) {
    int saved = errno;
    ::close(fd);
    return error.set(saved, "opening the peer of the pty");
  }
  *master = fd;
  *peer = other;
  return true;
}

bool send_console_fd(int socket, int fd, InitError& error) {
  char byte = 'T';
  ssize_t sent = base::send_with_fd(socket, &byte, 1, fd);
  if (sent != 1) return error.set(sent < 0 ? errno : EIO, "sending the pty to its creator");
  return true;
}

bool setup_console(const char* ptmx, int socket, ConsoleSize size, uid_t owner_uid,
                   InitError& error) {
  int master = -1, peer = -1;
  if (!open_pty(ptmx, size, &master, &peer, error)) return false;
  bool sent = send_console_fd(socket, master, error);
  ::close(master);
  if (!sent) {
    ::close(peer);
    return false;
  }
  // The user the process runs as owns its terminal, so that it may chmod it
  // (mesg) or hand it on; failing that (an unmapped uid) changes nothing
  // else, as the process holds it open already.
  (void)::fchown(peer, owner_uid, static_cast<gid_t>(-1));
  if (::ioctl(peer, TIOCSCTTY, 0) != 0) {
    int saved = errno;
    ::close(peer);
    return error.set(saved, "making the pty the controlling terminal");
  }
  for (int fd = 0; fd < 3; ++fd) {
    if (::dup2(peer, fd) < 0) {
      int saved = errno;
      ::close(peer);
      return error.set(saved, "dup2 of the pty onto fd %d", fd);
    }
  }
  if (peer > 2) ::close(peer);
  return true;
}

Result<base::UniqueFd> receive_console_fd(int socket) {
  char byte = 0;
  int fd = -1;
  ssize_t got = base::receive_with_fd(socket, &byte, 1, &fd);
  if (got < 0) return base::fail_errno("receiving the container's pty");
  base::UniqueFd received(fd);
  if (got == 0 || !received)
    return base::fail(EPROTO, "the container's process did not send its pty");
  return received;
}

namespace {

[[noreturn]] void drain_until_hangup(int master) {
  ::setsid();
  int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd < 3 && null_fd >= 0; ++fd) ::dup2(null_fd, fd);
  // Nothing else of the caller's (its lock files above all) stays open.
  if (::dup2(master, 3) < 0) ::_exit(1);
  master = 3;
  ::close_range(4, ~0U, 0);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Blocking reads: EIO (or EOF) once no process has the peer open.
  int flags = ::fcntl(master, F_GETFL);
  if (flags >= 0) ::fcntl(master, F_SETFL, flags & ~O_NONBLOCK);
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) ::_exit(0);
  }
}

}  // namespace

Status hold_console_in_background(base::UniqueFd master) {
  // Forked twice, so that nobody has to reap the holder.
  pid_t middle = ::fork();
  if (middle < 0) return base::fail_errno("forking the pty holder");
  if (middle == 0) {
    pid_t holder = ::fork();
    if (holder == 0) drain_until_hangup(master.get());
    ::_exit(holder < 0 ? 1 : 0);
  }
  int status = 0;
  while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return base::fail(ECHILD, "could not start the pty holder");
  return base::ok();
}

}  // namespace burrow::runtime

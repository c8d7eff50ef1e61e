// Runs in burrow-monitor (see attach_server.h).
#include "runtime/monitor/attach_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/monitor/fd_util.h"

namespace burrow::monitor {

namespace {

// Binds `fd` to `path`. A sockaddr_un holds at most 107 bytes of path, and
// run roots under deep home or scratch directories exceed that, so longer
// paths are reached through the directory's /proc/self/fd entry (as conmon
// does). Returns 0 or an errno.
int bind_path(int fd, const char* path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  size_t length = std::strlen(path);
  if (length < sizeof address.sun_path) {
    std::memcpy(address.sun_path, path, length + 1);
    return ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 ? 0 : errno;
  }
  const char* slash = std::strrchr(path, '/');
  char directory[4096];
  size_t directory_length = static_cast<size_t>(slash - path);
  if (directory_length >= sizeof directory) return ENAMETOOLONG;
  std::memcpy(directory, path, directory_length);
  directory[directory_length] = '\0';
  int directory_fd =
      ::open(directory_length == 0 ? "/" : directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (directory_fd < 0) return errno;
  int written = std::snprintf(address.sun_path, sizeof address.sun_path, "/proc/self/fd/%d/%s",
                              directory_fd, slash + 1);
  int result = ENAMETOOLONG;
  if (written > 0 && static_cast<size_t>(written) < sizeof address.sun_path) {
    result = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 ? 0 : errno;
  }
  ::close(directory_fd);
  return result;
}

}  // namespace

ClientMessage parse_client_message(const char* message, size_t length) {
  ClientMessage parsed;
  if (length == 0) return parsed;
  switch (static_cast<unsigned char>(message[0])) {
    case 0:
      parsed.request = ClientRequest::kStdin;
      parsed.data = message + 1;
      parsed.length = length - 1;
      break;
    case 1:
      if (length != 1 + 2 * sizeof(uint16_t)) break;
      parsed.request = ClientRequest::kResize;
      std::memcpy(&parsed.rows, message + 1, sizeof parsed.rows);
      std::memcpy(&parsed.cols, message + 1 + sizeof parsed.rows, sizeof parsed.cols);
      break;
    case 2:
      parsed.request = ClientRequest::kCloseStdin;
      break;
    default:
      break;
  }
  return parsed;
}

AttachServer::AttachServer() {
  for (int& fd : clients_) fd = -1;
}

int AttachServer::listen(const char* path) {
  listen_fd_ = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return errno;
  if (::unlink(path) < 0 && errno != ENOENT) return errno;
  // The umask sets the socket file's mode at bind(), leaving no window in
  // which another user could connect.
  mode_t old_mask = ::umask(0177);
  int error = bind_path(listen_fd_, path);
  ::umask(old_mask);
  if (error != 0) {
    close_fd(&listen_fd_);
    return error;
  }
  path_ = path;
  if (::listen(listen_fd_, kMaxAttachClients) < 0) return errno;
  return 0;
}

void AttachServer::accept_clients() {
  while (listen_fd_ >= 0) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN) report("accepting an attach client: %s", std::strerror(errno));
      return;
    }
    int slot = 0;
    while (slot < kMaxAttachClients && clients_[slot] >= 0) ++slot;
    if (slot == kMaxAttachClients) {
      report("more than %d attach clients; refusing one", kMaxAttachClients);
      ::close(fd);
      continue;
    }
    clients_[slot] = fd;
  }
}

ssize_t AttachServer::receive(int slot, char* buffer, size_t capacity) {
  ssize_t length;
  do {
    length = ::recv(clients_[slot], buffer, capacity, MSG_DONTWAIT);
  } while (length < 0 && errno == EINTR);
  if (length < 0 && errno == EAGAIN) return 0;
  if (length <= 0) {
    drop(slot);
    return -1;
  }
  return length;
}

void AttachServer::broadcast(Stream stream, const char* data, size_t length) {
  auto header = static_cast<unsigned char>(stream);
  iovec parts[2] = {{&header, 1}, {const_cast<char*>(data), length}};
  for (int slot = 0; slot < kMaxAttachClients; ++slot) {
    if (clients_[slot] >= 0 && !send_message(slot, parts, 2)) drop(slot);
  }
}

void AttachServer::finish(int exit_code) {
  char message[16];
  int length = std::snprintf(message, sizeof message, "%c%d", kExitMessage, exit_code);
  iovec part = {message, static_cast<size_t>(length)};
  for (int slot = 0; slot < kMaxAttachClients; ++slot) {
    if (clients_[slot] >= 0) {
      (void)send_message(slot, &part, 1);
      drop(slot);
    }
  }
}

void AttachServer::shut_down() {
  for (int slot = 0; slot < kMaxAttachClients; ++slot) drop(slot);
  if (listen_fd_ >= 0 && path_ != nullptr) ::unlink(path_);
  close_fd(&listen_fd_);
  path_ = nullptr;
}

bool AttachServer::send_message(int slot, const iovec* parts, int count) {
  msghdr message{};
  message.msg_iov = const_cast<iovec*>(parts);
  message.msg_iovlen = static_cast<size_t>(count);
  long long deadline = monotonic_ms() + kStallLimitMs;
  for (;;) {
    if (::sendmsg(clients_[slot], &message, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return true;
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return false;
    long long left = deadline - monotonic_ms();
    if (left <= 0) {
      report("attach client stalled for %d ms; detaching it", kStallLimitMs);
      return false;
    }
    pollfd wait{clients_[slot], POLLOUT, 0};
    (void)::poll(&wait, 1, static_cast<int>(left));
  }
}

void AttachServer::drop(int slot) { close_fd(&clients_[slot]); }

}  // namespace burrow::monitor

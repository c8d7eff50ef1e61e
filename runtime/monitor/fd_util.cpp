// Runs in burrow-monitor (see fd_util.h).
#include "runtime/monitor/fd_util.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace burrow::monitor {

namespace {
const char* report_id = "";
}  // namespace

int write_all(int fd, const void* data, size_t length) {
  auto* bytes = static_cast<const char*>(data);
  while (length > 0) {
    ssize_t written = ::write(fd, bytes, length);
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) return errno;
      pollfd wait{fd, POLLOUT, 0};
      if (::poll(&wait, 1, -1) < 0 && errno != EINTR) return errno;
      continue;
    }
    bytes += written;
    length -= static_cast<size_t>(written);
  }
  return 0;
}

int set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return errno;
  return 0;
}

void close_fd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

long long monotonic_ms() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<long long>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

void set_report_id(const char* id) { report_id = id; }

void report(const char* format, ...) {
  char message[1024];
  int length = std::snprintf(message, sizeof message, "burrow-monitor: %s%s", report_id,
                             report_id[0] != '\0' ? ": " : "");
  va_list args;
  va_start(args, format);
  int rest = std::vsnprintf(message + length, sizeof message - static_cast<size_t>(length) - 1,
                            format, args);
  va_end(args);
  if (rest > 0) length += rest;
  if (length > static_cast<int>(sizeof message) - 2) length = sizeof message - 2;
  message[length++] = '\n';
  (void)write_all(STDERR_FILENO, message, static_cast<size_t>(length));
}

}  // namespace burrow::monitor

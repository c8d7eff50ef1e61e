// File descriptor helpers and the error reporter of burrow-monitor. Runs in
// the monitor process only, so it uses nothing but libc: no allocation, no
// exceptions, no stdio streams of its own.
#pragma once

#include <cstddef>

namespace burrow::monitor {

// Writes all of `length` bytes, retrying on EINTR and, when `fd` is
// non-blocking and full, waiting for it with poll(). Returns 0 or an errno.
int write_all(int fd, const void* data, size_t length);

// Adds O_NONBLOCK to the file status flags. Returns 0 or an errno.
int set_nonblocking(int fd);

// Closes *fd when it is open and sets it to -1.
void close_fd(int* fd);

// Milliseconds on CLOCK_MONOTONIC, for poll() deadlines.
long long monotonic_ms();

// Messages go to stderr, prefixed "burrow-monitor: <id>: ". Under the CLI
// that is /dev/null; they matter when the monitor is run by hand or in tests.
void set_report_id(const char* id);
void report(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace burrow::monitor

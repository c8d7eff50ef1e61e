// Runs in burrow-monitor (see health_timer.h).
#include "runtime/monitor/health_timer.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "runtime/monitor/exit_steps.h"
#include "runtime/monitor/fd_util.h"

namespace burrow::monitor {

int HealthTimer::start(long long interval_ms, const char* const* command) {
  if (interval_ms <= 0 || command == nullptr || command[0] == nullptr) return 0;
  timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (timer_fd_ < 0) return errno;
  itimerspec spec{};
  spec.it_interval.tv_sec = static_cast<time_t>(interval_ms / 1000);
  spec.it_interval.tv_nsec = static_cast<long>(interval_ms % 1000) * 1000000;
  // The first run one interval after the start, as Docker and Podman do.
  spec.it_value = spec.it_interval;
  if (::timerfd_settime(timer_fd_, 0, &spec, nullptr) < 0) {
    int error = errno;
    close_fd(&timer_fd_);
    return error;
  }
  command_ = command;
  return 0;
}

int HealthTimer::on_expired() {
  uint64_t expirations = 0;
  while (::read(timer_fd_, &expirations, sizeof expirations) < 0 && errno == EINTR) {
  }
  // A slow check skips the expirations it overlapped instead of queueing.
  if (running_ > 0) return 0;
  running_ = start_command(command_);
  return running_ < 0 ? errno : 0;
}

void HealthTimer::on_child_exit(pid_t pid) {
  if (pid == running_) running_ = -1;
}

void HealthTimer::stop() { close_fd(&timer_fd_); }

}  // namespace burrow::monitor

// The periodic healthcheck of burrow-monitor: a timerfd in the monitor's
// poll loop starts the healthcheck command (`burrow healthcheck run ID`)
// every interval while the container runs, never two at once. The command
// is a child of the monitor and is reaped with the others. Runs in the
// monitor process.
#pragma once

#include <sys/types.h>

namespace burrow::monitor {

class HealthTimer {
 public:
  HealthTimer() = default;
  HealthTimer(const HealthTimer&) = delete;
  HealthTimer& operator=(const HealthTimer&) = delete;
  ~HealthTimer() { stop(); }

  // Arms the timer; a zero interval or an empty command leaves it idle.
  // Returns 0 or an errno.
  int start(long long interval_ms, const char* const* command);
  // The timerfd to poll for POLLIN, -1 when idle.
  int fd() const { return timer_fd_; }
  // The timer expired: starts the command unless a run is still going.
  // Returns 0 or an errno.
  int on_expired();
  // Called for each reaped child; forgets the run when it was ours.
  void on_child_exit(pid_t pid);
  // No more runs (the container has exited).
  void stop();

 private:
  int timer_fd_ = -1;
  const char* const* command_ = nullptr;
  pid_t running_ = -1;
};

}  // namespace burrow::monitor

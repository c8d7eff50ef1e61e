// burrow-monitor: the process that stays with one running container, the role
// conmon plays for Podman. The burrow CLI forks a child that clones the
// container init, starts it, points its own stdio at /dev/null and execs this
// program with the container's descriptors, so the container is already our
// running child. From then on this process relays the container's output to
// its log, the foreground CLI and attach clients, passes attach input on,
// records the exit code, and runs the exit command when no CLI is left to
// clean up.
//
// It is static and uses libc alone (no burrow libraries, no allocation on
// the hot path, no exceptions) so that one per container stays cheap.
#include <unistd.h>

#include <cstring>

#include "runtime/monitor/fd_util.h"
#include "runtime/monitor/monitor.h"
#include "runtime/monitor/monitor_options.h"

int main(int argc, char** argv) {
  using namespace burrow::monitor;
  static MonitorOptions options;
  char error[512];
  if (!parse_monitor_options(argc, argv, &options, error, sizeof error)) {
    report("%s", error);
    return 125;
  }
  return run_monitor(options);
}

// burrow-monitor's life: set up, relay the container's output and input in
// one poll() loop until the container exits, then record the exit and hand
// over to the CLI or the exit command. Runs in the monitor process, which is
// single-threaded, the container's parent and a child subreaper.
#pragma once

#include "runtime/monitor/monitor_options.h"

namespace burrow::monitor {

// Returns the monitor's exit status: 0 once the container's exit is
// recorded; 125 when setting up failed (the container is then killed, as
// nothing would relay its output or record its exit).
int run_monitor(const MonitorOptions& options);

}  // namespace burrow::monitor

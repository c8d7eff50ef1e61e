// A start whose CLI was killed after it spawned the monitor but before it
// recorded the container as running leaves a row that still says created
// (or exited) while the monitor and the container run on. The next command
// that takes the container's lock finds that monitor and records what is
// really there, so that stop and rm act on the running container instead
// of leaving it behind.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "engine/container_store.h"
#include "engine/engine.h"

namespace burrow::engine {

// The monitor process whose arguments name `exit_file`, and the container
// init it watches (its --pid); nullopt when there is none.
struct FoundMonitor {
  pid_t monitor_pid = 0;
  pid_t init_pid = 0;
};
std::optional<FoundMonitor> find_monitor_process(const std::string& exit_file);

// Pure: the monitor's pids from its arguments, when they are a
// burrow-monitor's that name `exit_file`.
std::optional<pid_t> monitor_init_pid(const std::vector<std::string>& args,
                                      const std::string& exit_file);

// Call with the container's lock held. Returns the record as it is once
// an unrecorded start has been adopted (state running), or unchanged.
Result<ContainerRecord> adopt_unrecorded_start(Engine& engine, ContainerRecord record);

}  // namespace burrow::engine

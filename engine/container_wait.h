// `burrow wait`: blocks until a container meets one of Podman's --condition
// states (stopped by default) and says how it ended.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"

namespace burrow::engine {

enum class WaitCondition {
  kConfigured,   // created and never started (Podman's state before the runtime has it)
  kCreated,      // the same: burrow sets a container up in the runtime when it starts
  kInitialized,  // set up in the runtime: started (running, paused or stopping)
  kRunning,
  kPaused,
  kStopping,
  kStopped,   // exited, with its exit code
  kExited,    // the same
  kRemoving,  // removed (by rm, or by --rm after it exited)
  kHealthy,
  kUnhealthy,
};

// The --condition names, as Podman spells them; anything else is an error
// listing them.
Result<WaitCondition> parse_wait_condition(std::string_view name);

// Whether a container in the stored `state` (created, running, paused,
// stopping, exited) meets a condition that is a state; false for stopped,
// exited, removing, healthy and unhealthy, which the waiter checks itself.
bool state_meets_condition(std::string_view state, WaitCondition condition);

// --interval: a Go duration ("250ms", "1s"), or a bare number of
// milliseconds as Podman reads it; at least one millisecond.
Result<std::chrono::milliseconds> parse_wait_interval(std::string_view text);

inline constexpr std::chrono::milliseconds kDefaultWaitInterval{250};

struct WaitRequest {
  std::vector<WaitCondition> conditions;                      // any one of them; empty: stopped
  std::chrono::milliseconds interval = kDefaultWaitInterval;  // between looks at the state
};

// Blocks until the container meets one of the conditions. Returns its exit
// code when that is stopped or exited (its first exit after the wait began,
// even when a restart policy started it again or --rm removed it), -1 for
// the others, as Podman prints. ENOENT when there is no such container (or
// it is removed while waited for, unless removing is a condition);
// healthy and unhealthy are errors for a container without a healthcheck.
Result<int64_t> wait_for_condition(Engine& engine, const std::string& reference,
                                   const WaitRequest& request);

}  // namespace burrow::engine

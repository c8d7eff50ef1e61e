// Ending containers: stop (signal, grace period, SIGKILL), kill, and
// remove. `burrow wait` is in container_wait.h.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "engine/container_store.h"
#include "engine/engine.h"

namespace burrow::engine {

// Deletes the row, the container's directory (its upper layer and log) and
// its run directory. The container's lock must be held and its init gone.
Status remove_container_locked(Engine& engine, const std::string& id);

// rm: a running container is refused (EBUSY, exit 2 as Podman) unless
// force, which kills it first. Returns the container's full id.
Result<std::string> remove_container(Engine& engine, const std::string& reference, bool force);

// Sends the stop signal (stop_signal, else the container's --stop-signal or
// the image's StopSignal, else SIGTERM), waits `timeout` seconds (else the
// container's --stop-timeout), then SIGKILL; returns once it is recorded as
// exited. A container that is not running is left as it is.
Status stop_container(Engine& engine, const std::string& reference, std::optional<int> timeout,
                      std::optional<int> stop_signal);

// kill -s: the signal to the container's init; EBUSY-like error when it does
// not run.
Status kill_container(Engine& engine, const std::string& reference, int signal);

// Waits up to timeout_ms (-1: forever) for the init of a container that
// runs to exit; true once it has gone.
bool wait_init_exit(const ContainerRecord& container, int timeout_ms);

}  // namespace burrow::engine

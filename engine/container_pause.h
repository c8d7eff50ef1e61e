// pause and unpause. Containers here have no cgroup of their own (rootless
// hosts with cgroup v1 cannot delegate one), so instead of the freezer every
// process in the container's pid namespace is stopped with SIGSTOP, until a
// pass finds all of them stopped, and resumed with SIGCONT. Unlike the
// freezer a paused process's parent can notice (SIGCHLD, waitpid WUNTRACED).
#pragma once

#include <string>

#include "base/result.h"
#include "engine/engine.h"

namespace burrow::engine {

// Both return the container's full id.
Result<std::string> pause_container(Engine& engine, const std::string& reference);
Result<std::string> unpause_container(Engine& engine, const std::string& reference);

// SIGCONT to every process of the container (stop and kill of a paused
// container resume it so that the signal is acted on).
void resume_processes(pid_t init_pid);

}  // namespace burrow::engine

// `burrow run` in the foreground: create a container, run it attached to
// this process's stdio, record how it ended, and clean up after --rm.
#pragma once

#include "base/result.h"
#include "engine/container_options.h"
#include "engine/engine.h"

namespace burrow::engine {

// The container's exit code, or an error whose exit_status says 125, 126 or
// 127 the way Podman reports them.
Result<int> run_container(Engine& engine, const CreateOptions& options);

}  // namespace burrow::engine

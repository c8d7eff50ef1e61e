// `burrow run`: create a container and start it, in the foreground (this
// process waits, with its stdio attached through the monitor, and cleans up
// after --rm) or detached (-d: the monitor carries on alone).
#pragma once

#include <string>

#include "base/result.h"
#include "engine/container_options.h"
#include "engine/engine.h"

namespace burrow::engine {

struct RunOutcome {
  std::string id;
  int exit_code = 0;  // the container's, in the foreground; 0 when detached
};

// An error's exit_status says 125, 126 or 127 the way Podman reports them.
Result<RunOutcome> run_container(Engine& engine, const CreateOptions& options);

}  // namespace burrow::engine

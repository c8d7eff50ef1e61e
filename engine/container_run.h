// `burrow run`: create a container and start it, in the foreground (this
// process waits, with its stdio attached through the monitor, and cleans up
// after --rm) or detached (-d: the monitor carries on alone).
#pragma once

#include <string>

#include "base/result.h"
#include "engine/container_lifecycle.h"
#include "engine/container_options.h"
#include "engine/engine.h"

namespace burrow::engine {

struct RunOutcome {
  std::string id;
  int exit_code = 0;  // the container's, in the foreground; 0 when detached
};

// An error's exit_status says 125, 126 or 127 the way Podman reports them.
// A foreground container with a tty gets its output here but no input or
// resizing: the CLI's terminal session uses create_and_start instead.
Result<RunOutcome> run_container(Engine& engine, const CreateOptions& options);

// The first half of run: registers the container and starts it with `io`.
// A --rm container whose start failed is removed again.
Result<StartedContainer> create_and_start(Engine& engine, const CreateOptions& options,
                                          const StartIo& io);

}  // namespace burrow::engine

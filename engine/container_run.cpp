// Runs in the CLI process, inside the keeper's namespaces when rootless.
#include "engine/container_run.h"

#include <unistd.h>

#include "base/log.h"
#include "engine/container_lifecycle.h"
#include "engine/container_remove.h"
#include "engine/container_state.h"

namespace burrow::engine {

Result<StartedContainer> create_and_start(Engine& engine, const CreateOptions& options,
                                          const StartIo& io) {
  base::debug("run: resolving image {}", options.image);
  BURROW_TRY(auto record, create_container(engine, options));
  auto started = start_container(engine, record.id, io);
  if (!started && options.remove) {
    auto lock = lock_container(engine.paths(), record.id);
    if (auto removed = remove_container_locked(engine, record.id); !removed)
      base::warn("removing container {}: {}", record.id, removed.error().message);
  }
  if (started) base::debug("run: container {} started", record.id);
  return started;
}

Result<RunOutcome> run_container(Engine& engine, const CreateOptions& options) {
  StartIo io;
  if (!options.detach) {
    io.foreground = true;
    io.stdin_fd = options.interactive ? STDIN_FILENO : -1;
    io.stdout_fd = STDOUT_FILENO;
    io.stderr_fd = STDERR_FILENO;
  }
  BURROW_TRY(auto started, create_and_start(engine, options, io));
  if (options.detach) return RunOutcome{started.record.id, 0};
  BURROW_TRY(int code, wait_foreground(engine, started));
  return RunOutcome{started.record.id, code};
}

}  // namespace burrow::engine

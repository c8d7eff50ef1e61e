// Runs in the CLI process, inside the keeper's namespaces when rootless.
#include "engine/container_run.h"

#include <unistd.h>

#include "base/log.h"
#include "engine/container_lifecycle.h"
#include "engine/container_remove.h"
#include "engine/container_state.h"

namespace burrow::engine {

Result<RunOutcome> run_container(Engine& engine, const CreateOptions& options) {
  base::debug("run: resolving image {}", options.image);
  BURROW_TRY(auto record, create_container(engine, options));
  StartIo io;
  if (!options.detach) {
    io.foreground = true;
    io.stdin_fd = options.interactive ? STDIN_FILENO : -1;
    io.stdout_fd = STDOUT_FILENO;
    io.stderr_fd = STDERR_FILENO;
  }
  auto started = start_container(engine, record.id, io);
  if (!started) {
    if (options.remove) {
      auto lock = lock_container(engine.paths(), record.id);
      if (auto removed = remove_container_locked(engine, record.id); !removed)
        base::warn("removing container {}: {}", record.id, removed.error().message);
    }
    return tl::unexpected(started.error());
  }
  base::debug("run: container {} started", record.id);
  if (options.detach) return RunOutcome{record.id, 0};
  BURROW_TRY(int code, wait_foreground(engine, *started));
  return RunOutcome{record.id, code};
}

}  // namespace burrow::engine

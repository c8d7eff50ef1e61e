// A container's life over the state database: create registers it, start
// mounts its rootfs and hands it to a monitor, finish records how it ended
// (and removes it or restarts it as asked), stop/kill signal it, remove
// deletes it. Every step that changes one container holds its lock.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "engine/container_options.h"
#include "engine/container_store.h"
#include "engine/engine.h"
#include "engine/monitor_spawn.h"
#include "engine/rootfs.h"

namespace burrow::engine {

// Registers a container in state "created": its row and its directory.
Result<ContainerRecord> create_container(Engine& engine, const CreateOptions& options);

// How a started container is attached to this process.
struct StartIo {
  bool foreground = false;
  int stdin_fd = -1;  // -1: /dev/null or, with -i on a detached container, a pipe
  // Where the monitor copies the container's output (-1: nowhere); with a
  // tty there is only stdout.
  int stdout_fd = -1, stderr_fd = -1;
  // A container with a tty: its initial size; in the foreground the
  // monitor's report also brings back the pty master
  // (StartedContainer::monitor.console) for input and resizing.
  runtime::ConsoleSize console_size;
};

struct StartedContainer {
  ContainerRecord record;
  SpawnedMonitor monitor;
};

// Mounts the rootfs, writes the spec and starts the container under its
// monitor. Starting a running container is an error naming it.
Result<StartedContainer> start_container(Engine& engine, const std::string& id, const StartIo& io);

// For a foreground start: waits for the container to exit, passing the
// signals this process receives on to it, then finishes it. Returns its exit
// code.
Result<int> wait_foreground(Engine& engine, StartedContainer& started);

// For a foreground start whose caller waited itself until the monitor's
// sync socket (started.monitor.sync) became readable: reads the exit code,
// tells the monitor this process cleans up, and finishes the container.
Result<int> finish_foreground(Engine& engine, StartedContainer& started);

// Leaves a foreground container running on its own (detach keys): closes
// the sync socket and the pty master, so that the monitor finishes the
// container with its exit command, as after `run -d`.
void detach_foreground(StartedContainer& started);

// Records how the container ended once its init is gone (the exit file, or
// -1 when the monitor died without writing one), unmounts its rootfs, and
// then removes it (--rm) or restarts it (--restart). Does nothing for a
// container whose init still runs, or one already finished or removed.
Status finish_container(Engine& engine, const std::string& id);

// The container's rootfs layout on its image's layers.
Result<ContainerRootfs> container_rootfs_of(Engine& engine, const ContainerRecord& record);

// Brings the stored state up to date with the processes (finish_container
// for a running container whose init has gone) and returns the record.
Result<ContainerRecord> refresh_container(Engine& engine, const std::string& reference);

}  // namespace burrow::engine

// A container's state as the processes show it: the monitor's exit file,
// whether the recorded init still lives, and the lock that serialises
// commands acting on one container.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/lock.h"
#include "base/result.h"
#include "engine/container_store.h"
#include "engine/store_paths.h"

namespace burrow::engine {

// What the monitor writes when the container's init exits.
struct ExitRecord {
  int64_t code = 0;
  int64_t finished_ns = 0;  // Unix time in nanoseconds
};

std::string exit_file_path(const StorePaths& paths, const std::string& id);
std::string attach_socket_path(const StorePaths& paths, const std::string& id);
std::string log_file_path(const StorePaths& paths, const std::string& id);

// The exit file's record; nullopt while there is none (or it is damaged).
std::optional<ExitRecord> read_exit_file(const StorePaths& paths, const std::string& id);

// Whether the recorded init of a running container is still that process
// (the pid with the start time we recorded, not a reused pid).
bool init_alive(const ContainerRecord& container);

// True for the states in which the container has processes.
bool is_active(const std::string& state);

// What a command that only reads should show: a running container whose
// init is gone is exited, with the code from the exit file when there is
// one. Writes nothing; the next command that modifies state records it.
ContainerRecord observed(const StorePaths& paths, ContainerRecord container);

// Held while a command changes one container's state or processes.
Result<base::FileLock> lock_container(const StorePaths& paths, const std::string& id);

}  // namespace burrow::engine

// `burrow exec`: one more process in a running container, with the
// container's environment, capabilities, limits and seccomp filter.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"

namespace burrow::engine {

struct ExecRequest {
  std::string container;  // name or id (prefix)
  std::vector<std::string> command;
  std::vector<std::string> env;  // KEY=VALUE added to the container's
  std::optional<std::string> user;
  std::optional<std::string> workdir;
  bool interactive = false;
  bool detach = false;
  bool privileged = false;
};

// The process's exit code in the foreground; 0 once it started with detach.
// Errors: 125 when the container is not running or setup fails, 126/127
// when the command cannot be run or found.
Result<int> exec_in_container(Engine& engine, const ExecRequest& request);

}  // namespace burrow::engine

// The keeper: a paused process that owns burrow's user and mount namespace
// for an unprivileged user. Storage mounts made inside its mount namespace
// outlive the command that made them; each later command joins it with
// setns() early in main(), while it is still single-threaded.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/result.h"
#include "userns/id_map.h"
#include "userns/map_writer.h"

namespace burrow::userns {

struct KeeperConfig {
  std::string run_root;  // keeper.pid and keeper.lock live here
  IdMapPlan plan;
  MapHelpers helpers;
};

// Joins the running keeper's namespaces, starting the keeper first if there
// is none. Must be called while the process has a single thread.
Status enter_keeper(const KeeperConfig& config);

// The keeper's pid when one is running for this run root.
std::optional<pid_t> running_keeper(const std::string& run_root);

// Stops the keeper (system reset/migrate). Mounts in its namespace go with it.
Status stop_keeper(const std::string& run_root);

}  // namespace burrow::userns

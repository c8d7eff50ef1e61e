// Healthcheck results: the per-container health file (status, failing
// streak, the last five runs) and `burrow healthcheck run`, which executes
// the check in the running container and records what it found.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"
#include "engine/healthcheck_config.h"

namespace burrow::engine {

inline constexpr size_t kHealthLogEntries = 5;
inline constexpr size_t kHealthOutputLimit = 4096;

struct HealthLogEntry {
  std::string start, end;  // RFC 3339
  int exit_code = 0;       // 0 passed, 1 failed (any other code, a timeout)
  std::string output;

  bool operator==(const HealthLogEntry&) const = default;
};

struct HealthState {
  std::string status = "starting";  // starting, healthy, unhealthy
  int failing_streak = 0;
  std::vector<HealthLogEntry> log;

  bool operator==(const HealthState&) const = default;
};

// One run's result applied to the state: a pass makes it healthy; a failure
// inside the start period changes nothing but the log; otherwise it grows
// the streak, and `retries` failures in a row make it unhealthy.
void apply_health_result(HealthState& state, const HealthConfig& config, HealthLogEntry entry,
                         bool in_start_period);

// The form inspect shows as State.Health (and the health file holds).
nlohmann::json health_state_json(const HealthState& state);
HealthState health_state_from_json(const nlohmann::json& json);

std::string health_file_path(const StorePaths& paths, const std::string& id);
// The recorded state; nullopt before the first run since the start.
std::optional<HealthState> read_health_state(const StorePaths& paths, const std::string& id);
// Forgets the results of an earlier run of the container (at start).
void reset_health_state(const StorePaths& paths, const std::string& id);

// What ps and inspect show: the recorded state, or "starting" for a running
// container that has a healthcheck but no result yet; nullopt without one.
std::optional<HealthState> observed_health(const StorePaths& paths, const std::string& id,
                                           const std::optional<HealthConfig>& config);

// The argv a healthcheck test runs in the container.
std::vector<std::string> health_command_argv(const std::vector<std::string>& test);

struct HealthRun {
  bool passed = false;
  HealthState state;  // after this run
};

// `burrow healthcheck run`: errors (exit 125) when there is no such
// container, it is not running, or it has no healthcheck.
Result<HealthRun> run_healthcheck(Engine& engine, const std::string& reference);

}  // namespace burrow::engine

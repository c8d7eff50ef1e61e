// Health states and the health file; runs in the CLI (ps and inspect read,
// `healthcheck run` writes).
#include "engine/healthcheck.h"

#include <unistd.h>

#include "base/file_util.h"

namespace burrow::engine {

void apply_health_result(HealthState& state, const HealthConfig& config, HealthLogEntry entry,
                         bool in_start_period) {
  bool passed = entry.exit_code == 0;
  state.log.push_back(std::move(entry));
  if (state.log.size() > kHealthLogEntries)
    state.log.erase(state.log.begin(), state.log.end() - kHealthLogEntries);
  if (passed) {
    state.status = "healthy";
    state.failing_streak = 0;
    return;
  }
  // A container still starting up may fail without it counting.
  if (in_start_period) return;
  ++state.failing_streak;
  if (state.failing_streak >= config.retries) state.status = "unhealthy";
}

nlohmann::json health_state_json(const HealthState& state) {
  nlohmann::json log = nlohmann::json::array();
  for (const auto& entry : state.log)
    log.push_back({{"Start", entry.start},
                   {"End", entry.end},
                   {"ExitCode", entry.exit_code},
                   {"Output", entry.output}});
  return {{"Status", state.status}, {"FailingStreak", state.failing_streak}, {"Log", log}};
}

HealthState health_state_from_json(const nlohmann::json& json) {
  HealthState state;
  if (!json.is_object()) return state;
  state.status = json.value("Status", "starting");
  state.failing_streak = json.value("FailingStreak", 0);
  if (auto it = json.find("Log"); it != json.end() && it->is_array()) {
    for (const auto& item : *it) {
      if (!item.is_object()) continue;
      state.log.push_back({item.value("Start", ""), item.value("End", ""),
                           item.value("ExitCode", 0), item.value("Output", "")});
    }
  }
  return state;
}

std::string health_file_path(const StorePaths& paths, const std::string& id) {
  return base::path_join(base::path_join(paths.container_dir(id), "userdata"), "healthcheck.json");
}

std::optional<HealthState> read_health_state(const StorePaths& paths, const std::string& id) {
  auto text = base::read_file_limited(health_file_path(paths, id), 1 << 20);
  if (!text) return std::nullopt;
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (json.is_discarded()) return std::nullopt;
  try {
    return health_state_from_json(json);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // damaged: as if no check had run yet
  }
}

void reset_health_state(const StorePaths& paths, const std::string& id) {
  ::unlink(health_file_path(paths, id).c_str());
}

std::optional<HealthState> observed_health(const StorePaths& paths, const std::string& id,
                                           const std::optional<HealthConfig>& config) {
  if (!config) return std::nullopt;
  if (auto state = read_health_state(paths, id)) return state;
  return HealthState{};
}

std::vector<std::string> health_command_argv(const std::vector<std::string>& test) {
  if (test.empty()) return {};
  if (test.front() == "CMD-SHELL")
    return {"/bin/sh", "-c", test.size() > 1 ? test[1] : std::string()};
  if (test.front() == "CMD") return {test.begin() + 1, test.end()};
  return test;
}

}  // namespace burrow::engine

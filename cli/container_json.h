// Containers as the JSON objects that `ps --format` and `inspect` show, with
// Podman's field names.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/container_config.h"
#include "engine/container_store.h"
#include "engine/engine.h"
#include "engine/healthcheck.h"

namespace burrow::cli {

// `record` as observed (engine::observed), `stored` its stored config.
// `health`: the observed health of a running container with a healthcheck.
nlohmann::json container_row(const engine::ContainerRecord& record,
                             const engine::StoredConfig& stored, bool no_trunc,
                             const std::optional<engine::HealthState>& health = std::nullopt);

nlohmann::json inspect_container(const engine::Engine& engine,
                                 const engine::ContainerRecord& record,
                                 const engine::StoredConfig& stored);

// "Up 3 seconds ago", "Exited (3) 2 seconds ago", "Created", as Podman's ps;
// a running container's health follows in parentheses: "Up 5 seconds (healthy)".
std::string container_status(const engine::ContainerRecord& record,
                             const std::optional<engine::HealthState>& health = std::nullopt);

// The health ps shows and filters on: nullopt unless the container runs
// and has a healthcheck.
std::optional<engine::HealthState> running_health(const engine::StorePaths& paths,
                                                  const engine::ContainerRecord& record,
                                                  const engine::StoredConfig& stored);

}  // namespace burrow::cli

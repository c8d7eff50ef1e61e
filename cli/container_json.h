// Containers as the JSON objects that `ps --format` and `inspect` show, with
// Podman's field names.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/container_config.h"
#include "engine/container_store.h"
#include "engine/engine.h"

namespace burrow::cli {

// `record` as observed (engine::observed), `stored` its stored config.
nlohmann::json container_row(const engine::ContainerRecord& record,
                             const engine::StoredConfig& stored, bool no_trunc);

nlohmann::json inspect_container(const engine::Engine& engine,
                                 const engine::ContainerRecord& record,
                                 const engine::StoredConfig& stored);

// "Up 3 seconds ago", "Exited (3) 2 seconds ago", "Created", as Podman's ps.
std::string container_status(const engine::ContainerRecord& record);

}  // namespace burrow::cli

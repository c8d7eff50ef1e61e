#include "engine/container_config.h"

#include <nlohmann/json.hpp>

namespace burrow::engine {

std::string stored_config_json(const CreateOptions& options,
                               const std::vector<std::string>& command) {
  nlohmann::json j;
  j["options"] = nlohmann::json::parse(options_to_json(options));
  j["command"] = command;
  return j.dump();
}

Result<StoredConfig> stored_config(const ContainerRecord& c) {
  auto j = nlohmann::json::parse(c.config, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("options"))
    return base::failf(EINVAL,
                       "container {} was created by an older burrow and cannot be started: "
                       "remove it and create it again",
                       c.name);
  StoredConfig stored;
  BURROW_TRY(stored.options, options_from_json(j["options"].dump()));
  try {
    stored.command = j.value("command", std::vector<std::string>{});
  } catch (const nlohmann::json::exception&) {
    return base::failf(EINVAL, "container {}: its stored command is damaged", c.name);
  }
  return stored;
}

}  // namespace burrow::engine

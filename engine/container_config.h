// What is stored with a container row: its create options and the command
// resolved from the image at create time (for ps and inspect).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "engine/container_options.h"
#include "engine/container_store.h"

namespace burrow::engine {

struct StoredConfig {
  CreateOptions options;
  std::vector<std::string> command;  // entrypoint + cmd as the container runs it
};

std::string stored_config_json(const CreateOptions& options,
                               const std::vector<std::string>& command);
Result<StoredConfig> stored_config(const ContainerRecord& container);

}  // namespace burrow::engine

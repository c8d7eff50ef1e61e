// The --change instructions of import and commit: Containerfile lines that
// edit an image config (CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE,
// VOLUME, STOPSIGNAL).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "image/image_config.h"

namespace burrow::engine {

Status apply_config_change(image::ContainerConfig& config, const std::string& change);
Status apply_config_changes(image::ContainerConfig& config,
                            const std::vector<std::string>& changes);

}  // namespace burrow::engine

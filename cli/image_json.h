// Images as the JSON objects that `images --format` and `image inspect`
// show, with Podman's field names.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "engine/engine.h"

namespace burrow::cli {

// One row per name (an unnamed image gets one "<none>" row), newest first.
std::vector<nlohmann::json> image_rows(const std::vector<engine::ImageRecord>& images,
                                       bool no_trunc);

nlohmann::json inspect_image(const engine::ImageRecord& image, const engine::StorePaths& paths);

}  // namespace burrow::cli

// Finds a local image from what a user typed: a full or short name, an id
// or a unique id prefix, as Podman accepts them.
#pragma once

#include <string>

#include "base/result.h"
#include "engine/image_store.h"
#include "image/reference.h"

namespace burrow::engine {

Result<ImageRecord> resolve_image(ImageStore& store, const std::string& input);

// Whether a stored full name ("localhost/busybox:latest") is what `ref`
// names: exactly for a full reference, by trailing components for a short one.
bool reference_names(const image::Reference& ref, const std::string& stored);

// The name a user-given name is stored under: "mine" -> "localhost/mine:latest".
Result<std::string> normalize_new_name(const std::string& input);

}  // namespace burrow::engine

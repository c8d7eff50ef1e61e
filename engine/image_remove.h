// `burrow rmi` and `burrow tag`.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"

namespace burrow::engine {

struct RemoveReport {
  std::vector<std::string> untagged;  // names
  std::vector<std::string> deleted;   // image ids
};

// Podman's rules: a name that is one of several names of an image only
// untags it; an id, or an image's last name, deletes the image and the
// layers no other image shares.
Result<RemoveReport> remove_image(Engine& engine, const std::string& input);

Status tag_image(Engine& engine, const std::string& source, const std::string& new_name);

}  // namespace burrow::engine

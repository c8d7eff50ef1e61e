// `burrow image prune`: removes dangling (untagged) images, or with --all
// every image no container uses.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"

namespace burrow::engine {

struct ImagePruneOptions {
  bool all = false;
  // until=TIME (created before; RFC 3339, Unix seconds or a duration ago),
  // label=KEY[=VALUE] and label!=KEY[=VALUE], matched against the image
  // config's labels. A bad filter is an error before anything is removed.
  std::vector<std::string> filters;
};

struct ImagePruneReport {
  std::vector<std::string> removed;  // full ids
  std::vector<Error> errors;         // images that could not be removed
};

Result<ImagePruneReport> prune_images(Engine& engine, const ImagePruneOptions& options);

}  // namespace burrow::engine

// `burrow image history` and `image tree`: an image's history entries
// matched to its layers, and the layer chains local images share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"

namespace burrow::engine {

struct HistoryRow {
  std::string id;  // 64 hex digits, or "" where no local image ends here ("<missing>")
  std::optional<int64_t> created;  // Unix seconds; absent when the entry has no time
  std::string created_by;
  int64_t size = 0;  // of the layer the entry made; 0 for empty_layer entries
  std::string comment;
  std::vector<std::string> tags;  // names of the images whose top layer this is
};

// Newest first, as Podman lists them: the top row carries the image's id,
// lower rows the id of another local image whose top layer they end at
// (each id once), else none.
Result<std::vector<HistoryRow>> image_history(Engine& engine, const ImageRecord& image);

struct TreeLayer {
  std::string diff_id;
  int64_t size = 0;
  std::vector<std::string> top_of;  // names (or short ids) of images whose top layer it is
  std::vector<TreeLayer> children;  // --whatrequires: the layers built on this one
};

// The image's layers, bottom first (children left empty).
Result<std::vector<TreeLayer>> image_layers(Engine& engine, const ImageRecord& image);
// The layers other local images add on top of `image`'s top layer, as a tree.
Result<std::vector<TreeLayer>> dependent_layers(Engine& engine, const ImageRecord& image);

}  // namespace burrow::engine

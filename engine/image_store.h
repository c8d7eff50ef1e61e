// Image metadata in the state database: images, their names and layers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/database.h"

namespace burrow::engine {

struct LayerRecord {
  std::string diff_id;      // "sha256:..."
  std::string blob_digest;  // "sha256:..."
  std::string media_type;
  int64_t size = 0;
};

struct ImageRecord {
  std::string id;  // 64 hex digits
  std::string config;
  std::optional<std::string> manifest;
  std::optional<std::string> digest;
  int64_t created = 0;
  int64_t added = 0;
  int64_t size = 0;
  std::vector<std::string> names;
  std::vector<std::string> diff_ids;  // bottom layer first
};

class ImageStore {
 public:
  explicit ImageStore(Database& db) : db_(db) {}

  // Registers an image and its layers in one transaction. Names already used
  // by another image move to this one, as `podman load` does.
  Status add(const ImageRecord& image, const std::vector<LayerRecord>& layers);

  Result<std::vector<ImageRecord>> list();
  Result<std::optional<ImageRecord>> find_by_id(const std::string& id);
  // Ids starting with `prefix`.
  Result<std::vector<std::string>> ids_with_prefix(const std::string& prefix);
  // Every (name, image id) pair.
  Result<std::vector<std::pair<std::string, std::string>>> names();
  Result<std::optional<LayerRecord>> layer(const std::string& diff_id);

  Status tag(const std::string& id, const std::string& name);
  // Removes a name; true when it existed.
  Result<bool> untag(const std::string& name);
  // Removes the image and returns the layers no other image uses. Fails
  // when a container still uses it.
  Result<std::vector<LayerRecord>> remove(const std::string& id);

 private:
  Status load_names_and_layers(ImageRecord& image);
  Database& db_;
};

}  // namespace burrow::engine

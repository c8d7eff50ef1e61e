// Unpacks a stored layer blob into the layer directory it will be shared
// from, once: into a temporary directory first, renamed into place only when
// it is complete and its content matches the expected diff id.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "engine/image_store.h"
#include "engine/store_paths.h"

namespace burrow::engine {

struct LayerSource {
  std::string blob_path;
  std::string blob_digest;
  std::string media_type;
  std::optional<std::string> expected_diff_id;  // from the image config; unknown for import
};

// Layer directories and blobs one operation created, removed again if it
// fails, so a failed load or import leaves nothing behind.
class LayerTransaction {
 public:
  // Callers hold the storage lock for the transaction's whole life.
  LayerTransaction(const StorePaths& paths, ImageStore& store) : paths_(paths), store_(store) {}
  ~LayerTransaction();
  LayerTransaction(const LayerTransaction&) = delete;
  LayerTransaction& operator=(const LayerTransaction&) = delete;

  Result<LayerRecord> install(const LayerSource& source);
  // BlobStore::put_file and put_bytes; a blob that was not stored before is
  // removed again unless the transaction commits.
  Result<std::string> put_blob_file(const std::string& src_path,
                                    const std::string& expected_digest);
  Result<std::string> put_blob_bytes(std::string_view data,
                                     std::optional<std::string> expected_digest);
  void commit() {
    created_.clear();
    new_blobs_.clear();
  }

 private:
  Result<LayerRecord> unpack(const LayerSource& source);

  const StorePaths& paths_;
  ImageStore& store_;
  std::vector<std::string> created_;
  std::vector<std::string> new_blobs_;
  std::vector<LayerRecord> installed_;
};

}  // namespace burrow::engine

// Unpacks a stored layer blob into the layer directory it will be shared
// from, once: into a temporary directory first, renamed into place only when
// it is complete and its content matches the expected diff id.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
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

// A layer unpacked into a temporary directory beside the stored ones and
// checked against its diff ID, not yet in place: download threads make these
// without the storage lock. The directory is removed unless installed.
class PreparedLayer {
 public:
  PreparedLayer(std::string dir, LayerRecord record)
      : dir_(std::move(dir)), record_(std::move(record)) {}
  PreparedLayer(PreparedLayer&& other) noexcept
      : dir_(std::exchange(other.dir_, {})), record_(std::move(other.record_)) {}
  PreparedLayer& operator=(PreparedLayer&&) = delete;
  ~PreparedLayer();

  const LayerRecord& record() const { return record_; }
  // The directory, now the caller's to move or remove.
  std::string release() { return std::exchange(dir_, {}); }

 private:
  std::string dir_;
  LayerRecord record_;
};

// Unpacks `source` (whose expected_diff_id, when set, must match). Touches
// no database and needs no lock.
Result<PreparedLayer> prepare_layer(const StorePaths& paths, const LayerSource& source);

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
  // Moves a prepared layer into place; when that layer is stored already,
  // the prepared copy is dropped and the stored one returned.
  Result<LayerRecord> install_prepared(PreparedLayer prepared);
  // BlobStore::put_file and put_bytes; a blob that was not stored before is
  // removed again unless the transaction commits.
  Result<std::string> put_blob_file(const std::string& src_path,
                                    const std::string& expected_digest);
  // The same for a file whose digest the caller has already computed while
  // writing it (a verified download): it is not read again.
  Status adopt_blob_file(const std::string& src_path, const std::string& digest);
  Result<std::string> put_blob_bytes(std::string_view data,
                                     std::optional<std::string> expected_digest);
  void commit() {
    created_.clear();
    new_blobs_.clear();
  }

 private:
  // The record of a layer this transaction or an earlier one put in place.
  Result<std::optional<LayerRecord>> already_installed(const std::string& diff_id);
  Result<LayerRecord> unpack(const LayerSource& source);
  Result<LayerRecord> place(PreparedLayer prepared);

  const StorePaths& paths_;
  ImageStore& store_;
  std::vector<std::string> created_;
  std::vector<std::string> new_blobs_;
  std::vector<LayerRecord> installed_;
};

}  // namespace burrow::engine

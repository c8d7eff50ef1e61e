// Content-addressed blob store: <root>/blobs/sha256/<hex>, verified on write.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace burrow::storage {

class BlobStore {
 public:
  explicit BlobStore(std::string root);

  // Hashes `src_path` and moves it into the store (rename on the same file
  // system, else copy to a temporary file beside the blob and rename; the
  // source is removed on success). When `expected_digest` ("sha256:<hex>") is
  // given and differs, nothing is stored and the source is left alone.
  // The source must not be modified while it is stored. Returns the digest.
  base::Result<std::string> put_file(const std::string& src_path,
                                     std::optional<std::string> expected_digest);
  // Moves `src_path`, whose sha256 the caller computed while writing it, into
  // the store without reading it again. It must be a regular file on the
  // store's file system (a rename); an existing blob is kept.
  base::Status adopt_file(const std::string& src_path, const std::string& digest);
  base::Result<std::string> put_bytes(std::string_view data,
                                      std::optional<std::string> expected_digest);

  bool has(const std::string& digest) const;
  // Validates the digest before it becomes a path, so "sha256:../.." never does.
  base::Result<std::string> path(const std::string& digest) const;
  // A missing blob is not an error.
  base::Status remove(const std::string& digest);

 private:
  base::Status ensure_dir() const;
  std::string blobs_dir_;
};

}  // namespace burrow::storage

// The files of an image archive or OCI layout directory as `burrow save`
// writes them, and the layer conversions that need: a member is bytes in
// memory or a file opened while the storage lock was held, so the lock can
// be dropped before the (maybe slow, maybe piped into `burrow load`) write.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace burrow::engine {

struct LayoutMember {
  std::string name;   // "manifest.json", "blobs/sha256/<hex>"
  std::string bytes;  // the content, unless `file` is open
  base::UniqueFd file;
  int64_t size = 0;  // of `file`, read from offset 0
};

// A tar of the members, owners 0:0 and mtime 0 so the same images always
// give the same archive. Directories a member name implies come first.
// `out_fd` is borrowed.
Status write_layout_tar(const std::vector<LayoutMember>& members, int out_fd);

// The members as files below `dir`, an empty directory the caller owns.
Status write_layout_dir(const std::vector<LayoutMember>& members, const std::string& dir);

struct ConvertedLayer {
  base::UniqueFd file;
  std::string digest;  // "sha256:<hex>" of what was written
  int64_t size = 0;
};

// The uncompressed tar of a gzip or zstd layer blob, written to the new
// file `out_path` (in a temporary directory the caller removes).
Result<ConvertedLayer> decompress_layer(int blob_fd, const std::string& out_path);
// A gzip-compressed copy of an uncompressed layer blob, likewise.
Result<ConvertedLayer> gzip_layer(int blob_fd, int64_t blob_size, const std::string& out_path);

}  // namespace burrow::engine

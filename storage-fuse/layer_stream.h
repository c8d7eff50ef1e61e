// One pass over a layer blob: a libarchive reader in "raw" format undoes any
// compression (gzip, zstd, ...), and its output feeds, through a read
// callback that hashes every byte, a second reader that parses the tar. The
// hash is the layer's diff_id (OCI image spec: digest of the uncompressed tar).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/result.h"

struct archive;
struct archive_entry;

namespace burrow::storage {

class LayerStream {
 public:
  LayerStream();
  ~LayerStream();
  LayerStream(const LayerStream&) = delete;
  LayerStream& operator=(const LayerStream&) = delete;

  // `fd` is borrowed and read from its current offset.
  base::Status open(int fd);
  // The next tar entry, or nullptr after the last one. The entry stays valid
  // until the next call.
  base::Result<archive_entry*> next_entry();
  // The tar reader, for archive_read_data_block on the current entry.
  archive* tar() const { return tar_; }
  // Reads whatever follows the end-of-archive marker so the hash covers the
  // whole stream, and returns "sha256:<hex>" of the uncompressed bytes.
  base::Result<std::string> finish();
  // "layer is truncated or corrupt: <libarchive message>", preferring the
  // decompressor's message when it was the one that failed.
  base::Error corrupt_error() const;

 private:
  static long read_blob_callback(archive* a, void* self, const void** buffer);
  static long read_callback(archive* a, void* self, const void** buffer);
  long read_decompressed(const void** buffer);

  int fd_ = -1;  // borrowed
  uint64_t blob_bytes_ = 0;
  archive* raw_ = nullptr;
  archive* tar_ = nullptr;
  bool raw_eof_ = false;
  std::string raw_error_;
  base::Sha256 hash_;
  std::vector<char> buffer_;       // decompressed bytes for the tar reader
  std::vector<char> blob_buffer_;  // blob bytes for the decompressor
};

}  // namespace burrow::storage

#include "storage-fuse/layer_stream.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <cstring>

#include "base/log.h"

namespace burrow::storage {

using base::fail;
using base::Result;
using base::Status;

namespace {
constexpr size_t kBufferSize = 1 << 17;
}

LayerStream::LayerStream() : buffer_(kBufferSize), blob_buffer_(kBufferSize) {}

LayerStream::~LayerStream() {
  if (tar_) archive_read_free(tar_);
  if (raw_) archive_read_free(raw_);
}

base::Error LayerStream::corrupt_error() const {
  std::string detail = raw_error_;
  if (detail.empty() && tar_ && archive_error_string(tar_)) detail = archive_error_string(tar_);
  if (detail.empty() && raw_ && archive_error_string(raw_)) detail = archive_error_string(raw_);
  if (detail.empty()) detail = "unknown error";
  return base::Error{EINVAL, "layer is truncated or corrupt: " + detail};
}

Status LayerStream::open(int fd) {
  raw_ = archive_read_new();
  tar_ = archive_read_new();
  if (!raw_ || !tar_) return fail(ENOMEM, "allocating the layer reader");
  // Only the compressions OCI and Docker layers use, all built into
  // libarchive: "filter_all" would also run external programs (lrzip, lzop)
  // on a hostile blob that merely looks like their format.
  archive_read_support_filter_gzip(raw_);
  archive_read_support_filter_zstd(raw_);
  archive_read_support_filter_xz(raw_);
  archive_read_support_format_raw(raw_);
  fd_ = fd;
  int rc = archive_read_open(raw_, this, nullptr, &LayerStream::read_blob_callback, nullptr);
  archive_entry* raw_entry = nullptr;
  if (rc == ARCHIVE_OK) rc = archive_read_next_header(raw_, &raw_entry);
  if (rc != ARCHIVE_OK) {
    // The raw format accepts any byte, so only an empty blob fails here
    // without a read error: treat it as an empty layer.
    if (blob_bytes_ != 0 || !raw_error_.empty()) return tl::unexpected(corrupt_error());
    raw_eof_ = true;
  }

  archive_read_support_format_tar(tar_);
  archive_read_support_format_empty(tar_);
  // No skip callback on purpose: skipped entry data must still pass through
  // read_callback, or the diff_id would miss it.
  if (archive_read_open(tar_, this, nullptr, &LayerStream::read_callback, nullptr) != ARCHIVE_OK)
    return tl::unexpected(corrupt_error());
  return base::ok();
}

long LayerStream::read_blob_callback(archive* /*a*/, void* self, const void** buffer) {
  auto* stream = static_cast<LayerStream*>(self);
  *buffer = stream->blob_buffer_.data();
  for (;;) {
    ssize_t n = ::read(stream->fd_, stream->blob_buffer_.data(), stream->blob_buffer_.size());
    if (n >= 0) {
      stream->blob_bytes_ += static_cast<uint64_t>(n);
      return static_cast<long>(n);
    }
    if (errno != EINTR) {
      stream->raw_error_ = fmt::format("reading the layer: {}", std::strerror(errno));
      return -1;
    }
  }
}

long LayerStream::read_callback(archive* /*a*/, void* self, const void** buffer) {
  return static_cast<LayerStream*>(self)->read_decompressed(buffer);
}

long LayerStream::read_decompressed(const void** buffer) {
  *buffer = buffer_.data();
  if (raw_eof_) return 0;
  la_ssize_t n = archive_read_data(raw_, buffer_.data(), buffer_.size());
  if (n < 0) {
    const char* message = archive_error_string(raw_);
    raw_error_ = message ? message : "decompression failed";
    return -1;
  }
  if (n == 0) raw_eof_ = true;
  hash_.update(buffer_.data(), static_cast<size_t>(n));
  return static_cast<long>(n);
}

Result<archive_entry*> LayerStream::next_entry() {
  archive_entry* entry = nullptr;
  int rc = archive_read_next_header(tar_, &entry);
  if (rc == ARCHIVE_EOF) return static_cast<archive_entry*>(nullptr);
  if (rc == ARCHIVE_WARN) {
    // e.g. an unknown pax keyword; the entry itself is usable.
    base::debug("layer entry warning: {}", archive_error_string(tar_));
    return entry;
  }
  if (rc != ARCHIVE_OK) return tl::unexpected(corrupt_error());
  return entry;
}

Result<std::string> LayerStream::finish() {
  // Tar writers pad after the end-of-archive blocks; those bytes are part of
  // the uncompressed stream and so part of the diff_id.
  const void* ignored = nullptr;
  for (;;) {
    long n = read_decompressed(&ignored);
    if (n < 0) return tl::unexpected(corrupt_error());
    if (n == 0) break;
  }
  return "sha256:" + hash_.finish_hex();
}

}  // namespace burrow::storage

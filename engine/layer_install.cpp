#include "engine/layer_install.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/file_util.h"
#include "base/log.h"
#include "engine/scratch_dir.h"
#include "storage-fuse/blob_store.h"
#include "storage-fuse/layer_unpack.h"

namespace burrow::engine {
namespace {

Result<storage::UnpackStats> unpack_into(const std::string& blob_path, const std::string& dir) {
  base::UniqueFd fd(::open(blob_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return base::fail_errno("opening layer blob {}", blob_path);
  BURROW_TRY(auto stats, storage::unpack_layer(fd.get(), dir, storage::UnpackOptions{}));
  // mkdtemp made the directory 0700; a layer without a "./" entry must
  // still give the container a traversable root.
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & 07777) == 0700) ::chmod(dir.c_str(), 0755);
  return stats;
}

}  // namespace

LayerTransaction::~LayerTransaction() {
  for (const auto& dir : created_) {
    if (auto removed = base::remove_tree(dir); !removed)
      base::warn("cleaning up layer {}: {}", dir, removed.error().message);
  }
  storage::BlobStore blobs(paths_.blobs());
  for (const auto& digest : new_blobs_) {
    if (auto removed = blobs.remove(digest); !removed)
      base::warn("cleaning up blob {}: {}", digest, removed.error().message);
  }
}

Result<std::string> LayerTransaction::put_blob_file(const std::string& src_path,
                                                    const std::string& expected_digest) {
  storage::BlobStore blobs(paths_.blobs());
  bool existed = blobs.has(expected_digest);
  BURROW_TRY(std::string digest, blobs.put_file(src_path, expected_digest));
  if (!existed) new_blobs_.push_back(digest);
  return digest;
}

Status LayerTransaction::adopt_blob_file(const std::string& src_path, const std::string& digest) {
  storage::BlobStore blobs(paths_.blobs());
  bool existed = blobs.has(digest);
  BURROW_CHECK(blobs.adopt_file(src_path, digest));
  if (!existed) new_blobs_.push_back(digest);
  return base::ok();
}

Result<std::string> LayerTransaction::put_blob_bytes(std::string_view data,
                                                     std::optional<std::string> expected_digest) {
  storage::BlobStore blobs(paths_.blobs());
  bool existed = blobs.has(base::sha256_digest(data));
  BURROW_TRY(std::string digest, blobs.put_bytes(data, std::move(expected_digest)));
  if (!existed) new_blobs_.push_back(digest);
  return digest;
}

Result<std::optional<LayerRecord>> LayerTransaction::already_installed(const std::string& diff_id) {
  for (const auto& layer : installed_)
    if (layer.diff_id == diff_id) return layer;
  BURROW_TRY(auto stored, store_.layer(diff_id));
  if (stored && base::is_directory(paths_.layer_dir(stored->diff_id.substr(7)))) return stored;
  return std::nullopt;
}

Result<LayerRecord> LayerTransaction::install(const LayerSource& source) {
  if (source.expected_diff_id) {
    BURROW_CHECK(base::parse_sha256_digest(*source.expected_diff_id));
    BURROW_TRY(auto existing, already_installed(*source.expected_diff_id));
    if (existing) return *existing;
  }
  BURROW_TRY(LayerRecord layer, unpack(source));
  installed_.push_back(layer);
  return layer;
}

PreparedLayer::~PreparedLayer() {
  if (dir_.empty()) return;
  if (auto removed = base::remove_tree(dir_); !removed)
    base::warn("cleaning up layer {}: {}", dir_, removed.error().message);
}

Result<PreparedLayer> prepare_layer(const StorePaths& paths, const LayerSource& source) {
  BURROW_TRY(std::string tmp, make_scratch_dir(paths.layers(), ".unpack-"));
  auto stats = unpack_into(source.blob_path, tmp);
  if (stats && source.expected_diff_id && stats->diff_id != *source.expected_diff_id)
    stats = base::failf(EINVAL,
                        "its content is {} but the image config expects {}: the archive is "
                        "corrupt or was tampered with",
                        stats->diff_id, *source.expected_diff_id);
  if (!stats) {
    (void)base::remove_tree(tmp);
    return tl::unexpected(stats.error().with_context("layer " + source.blob_digest));
  }
  return PreparedLayer(tmp, LayerRecord{stats->diff_id, source.blob_digest, source.media_type,
                                        static_cast<int64_t>(stats->size)});
}

Result<LayerRecord> LayerTransaction::unpack(const LayerSource& source) {
  BURROW_TRY(PreparedLayer prepared, prepare_layer(paths_, source));
  return place(std::move(prepared));
}

Result<LayerRecord> LayerTransaction::install_prepared(PreparedLayer prepared) {
  BURROW_TRY(auto existing, already_installed(prepared.record().diff_id));
  if (existing) return *existing;
  BURROW_TRY(LayerRecord layer, place(std::move(prepared)));
  installed_.push_back(layer);
  return layer;
}

Result<LayerRecord> LayerTransaction::place(PreparedLayer prepared) {
  LayerRecord record = prepared.record();
  std::string final_dir = paths_.layer_dir(record.diff_id.substr(7));
  // Under the storage lock, a directory without a database row is debris of
  // a command that was killed: replace it.
  if (auto stored = store_.layer(record.diff_id); stored && !*stored)
    (void)base::remove_tree(final_dir);
  std::string tmp = prepared.release();
  if (::rename(tmp.c_str(), final_dir.c_str()) != 0) {
    int saved = errno;
    (void)base::remove_tree(tmp);
    if (saved != EEXIST && saved != ENOTEMPTY) {
      errno = saved;
      return base::fail_errno("moving layer into {}", final_dir);
    }
  } else {
    created_.push_back(final_dir);
  }
  return record;
}

}  // namespace burrow::engine

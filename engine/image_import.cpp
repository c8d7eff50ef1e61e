#include <fcntl.h>
#include <unistd.h>

#include <ctime>

#include "base/digest.h"
#include "base/file_util.h"
#include "base/scope_exit.h"
#include "engine/config_changes.h"
#include "engine/events.h"
#include "engine/image_load.h"
#include "engine/image_resolve.h"
#include "engine/layer_install.h"
#include "engine/scratch_dir.h"
#include "image/manifest.h"
#include "image/timestamps.h"
#include "storage-fuse/blob_store.h"

namespace burrow::engine {
namespace {

struct StagedBlob {
  std::string path;
  std::string digest;
  std::string media_type;
};

// The tarball may come from a pipe, so it is copied once to the graph root's
// file system (hashing as it goes) and then moved into the blob store.
Result<StagedBlob> stage_stream(int fd, const std::string& dir) {
  StagedBlob blob{base::path_join(dir, "layer"), "", ""};
  base::UniqueFd out(::open(blob.path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!out) return base::fail_errno("creating {}", blob.path);
  auto hex = base::copy_and_sha256_hex(fd, out.get());
  if (!hex) return tl::unexpected(hex.error().with_context("reading the tarball"));
  blob.digest = "sha256:" + *hex;
  char head[4] = {};
  ssize_t got = ::pread(out.get(), head, sizeof head, 0);
  if (got <= 0) return base::fail(EINVAL, "the tarball is empty");
  bool gzip = got >= 2 && head[0] == '\x1f' && head[1] == '\x8b';
  bool zstd = got == 4 && std::string_view(head, 4) == std::string_view("\x28\xb5\x2f\xfd", 4);
  blob.media_type = std::string(gzip   ? image::media_type::kOciLayerGzip
                                : zstd ? image::media_type::kOciLayerZstd
                                       : image::media_type::kOciLayer);
  return blob;
}

Result<std::string> import_config(const LayerRecord& layer, const ImportOptions& options) {
  image::ImageConfig config;
  auto platform = image::host_platform();
  config.architecture = platform.architecture;
  config.os = platform.os;
  config.variant = platform.variant;
  config.created = image::format_rfc3339({static_cast<int64_t>(::time(nullptr)), 0});
  config.rootfs.diff_ids = {layer.diff_id};
  BURROW_CHECK(apply_config_changes(config.config, options.changes));
  image::HistoryEntry history;
  history.created = config.created;
  history.created_by = "/bin/sh -c #(nop) ADD file:" + layer.blob_digest.substr(7) + " in /";
  history.comment = options.message;
  config.history.push_back(history);
  return image::serialize_image_config(config);
}

}  // namespace

Result<std::string> import_rootfs(Engine& engine, int fd, const ImportOptions& options) {
  std::optional<std::string> name;
  if (options.name) {
    BURROW_TRY(name, normalize_new_name(*options.name));
  }
  // Staged before the lock, as load does: `save | import` must not wait on
  // itself.
  sweep_scratch_dirs(engine.paths().tmp(), "import-");
  BURROW_TRY(std::string staging, make_scratch_dir(engine.paths().tmp(), "import-"));
  base::ScopeExit remove_staging([&] { (void)base::remove_tree(staging); });
  BURROW_TRY(StagedBlob staged, stage_stream(fd, staging));
  BURROW_TRY(auto lock, lock_storage(engine.paths()));

  storage::BlobStore blobs(engine.paths().blobs());
  LayerTransaction layers(engine.paths(), engine.images());
  BURROW_TRY(std::string digest, layers.put_blob_file(staged.path, staged.digest));
  BURROW_TRY(std::string blob_path, blobs.path(digest));
  BURROW_TRY(LayerRecord layer, layers.install({blob_path, digest, staged.media_type, {}}));
  BURROW_TRY(std::string config_bytes, import_config(layer, options));
  BURROW_TRY(std::string config_digest, layers.put_blob_bytes(config_bytes, std::nullopt));

  ImageRecord record;
  record.id = config_digest.substr(7);
  record.config = config_bytes;
  record.created = static_cast<int64_t>(::time(nullptr));
  record.size = layer.size;
  record.diff_ids = {layer.diff_id};
  if (name) record.names = {*name};
  BURROW_CHECK(engine.images().add(record, {layer}));
  layers.commit();
  record_image_event(engine.paths(), "import", record.id, name.value_or(""));
  return record.id;
}

}  // namespace burrow::engine

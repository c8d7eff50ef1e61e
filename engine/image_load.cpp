#include "engine/image_load.h"

#include <ctime>

#include "base/digest.h"
#include "base/file_util.h"
#include "base/scope_exit.h"
#include "engine/events.h"
#include "engine/layer_install.h"
#include "engine/scratch_dir.h"
#include "image/archive_reader.h"
#include "image/image_config.h"
#include "storage-fuse/blob_store.h"

namespace burrow::engine {
namespace {

Result<ImageRecord> store_archive_image(Engine& engine, LayerTransaction& layers,
                                        const image::ArchiveImage& archived,
                                        std::vector<LayerRecord>& layer_records) {
  BURROW_TRY(image::ImageConfig config, image::parse_image_config(archived.config_bytes));
  if (config.rootfs.diff_ids.size() != archived.layers.size())
    return base::failf(EINVAL, "the image config lists {} layers but the manifest has {}",
                       config.rootfs.diff_ids.size(), archived.layers.size());
  storage::BlobStore blobs(engine.paths().blobs());
  ImageRecord record;
  for (size_t i = 0; i < archived.layers.size(); ++i) {
    const auto& layer = archived.layers[i];
    BURROW_TRY(std::string digest, layers.put_blob_file(layer.path, layer.digest));
    BURROW_TRY(std::string blob_path, blobs.path(digest));
    BURROW_TRY(LayerRecord installed,
               layers.install({blob_path, digest, layer.media_type, config.rootfs.diff_ids[i]}));
    record.size += installed.size;
    layer_records.push_back(installed);
  }
  BURROW_CHECK(layers.put_blob_bytes(archived.config_bytes, archived.config_digest));
  record.id = archived.config_digest.substr(7);
  record.config = archived.config_bytes;
  record.manifest = archived.manifest_bytes;
  if (archived.manifest_bytes) record.digest = base::sha256_digest(*archived.manifest_bytes);
  record.created = config.created_epoch.value_or(0);
  record.added = static_cast<int64_t>(::time(nullptr));
  record.names = archived.names;
  record.diff_ids = config.rootfs.diff_ids;
  return record;
}

// Stages the input with `read` (archive or directory) and stores its images.
// The input is staged before the storage lock is taken: `save | load` on
// one store would otherwise wait forever, load holding the lock while it
// waits for input and save waiting for the lock before it writes any.
template <typename Read>
Result<std::vector<std::string>> load_with(Engine& engine, Read&& read) {
  sweep_scratch_dirs(engine.paths().tmp(), "load-");
  sweep_scratch_dirs(engine.paths().layers(), ".unpack-");
  BURROW_TRY(std::string staging, make_scratch_dir(engine.paths().tmp(), "load-"));
  base::ScopeExit remove_staging([&] { (void)base::remove_tree(staging); });
  BURROW_TRY(image::ArchiveContents contents, read(staging));
  if (contents.images.empty()) return base::fail(EINVAL, "the archive contains no image");
  BURROW_TRY(auto lock, lock_storage(engine.paths()));

  // Everything is stored and verified before the first image is registered,
  // so a bad second image leaves no trace of the first one either.
  LayerTransaction layers(engine.paths(), engine.images());
  std::vector<std::pair<ImageRecord, std::vector<LayerRecord>>> ready;
  for (const auto& archived : contents.images) {
    std::vector<LayerRecord> layer_records;
    BURROW_TRY(ImageRecord record, store_archive_image(engine, layers, archived, layer_records));
    ready.emplace_back(std::move(record), std::move(layer_records));
  }
  std::vector<std::string> loaded;
  BURROW_CHECK(engine.db().transaction([&]() -> Status {
    for (const auto& [record, layer_records] : ready) {
      BURROW_CHECK(engine.images().add(record, layer_records));
      if (record.names.empty()) loaded.push_back("sha256:" + record.id);
      for (const auto& name : record.names) loaded.push_back(name);
    }
    return base::ok();
  }));
  layers.commit();
  for (const auto& [record, layer_records] : ready)
    record_image_event(engine.paths(), "loadfromarchive", record.id,
                       record.names.empty() ? "" : record.names.front());
  return loaded;
}

}  // namespace

Result<std::vector<std::string>> load_images(Engine& engine, int fd) {
  return load_with(
      engine, [&](const std::string& staging) { return image::read_image_archive(fd, staging); });
}

Result<std::vector<std::string>> load_images_from_directory(Engine& engine,
                                                            const std::string& dir) {
  return load_with(engine, [&](const std::string& staging) {
    return image::read_image_directory(dir, staging);
  });
}

}  // namespace burrow::engine

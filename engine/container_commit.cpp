// Runs in the CLI, inside the keeper's namespaces when rootless.
#include "engine/container_commit.h"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>

#include "base/digest.h"
#include "base/file_util.h"
#include "base/scope_exit.h"
#include "base/strings.h"
#include "engine/config_changes.h"
#include "engine/container_config.h"
#include "engine/container_diff.h"
#include "engine/container_lifecycle.h"
#include "engine/container_pause.h"
#include "engine/container_state.h"
#include "engine/env.h"
#include "engine/image_resolve.h"
#include "engine/layer_install.h"
#include "image/manifest.h"
#include "image/timestamps.h"
#include "storage-fuse/blob_store.h"
#include "storage-fuse/tar_writer.h"

namespace burrow::engine {
namespace {

struct StagedLayer {
  std::string path;
  std::string digest;  // of the uncompressed tar: blob digest and diff id at once
};

// The changes as an uncompressed layer tar in the staging directory.
Result<StagedLayer> write_layer(const ContainerRootfs& rootfs,
                                const std::vector<storage::Change>& changes,
                                const std::string& staging) {
  bool vfs = rootfs.driver == storage::StorageDriver::kVfs;
  // A container never started has no upper directory, and no changes: its
  // layer is an empty tar, read from nowhere.
  std::string source_dir = vfs ? rootfs.layout.merged_dir : rootfs.layout.upper_dir;
  if (changes.empty()) source_dir = staging;
  BURROW_TRY(base::UniqueFd source, base::open_dir(source_dir));
  StagedLayer layer{base::path_join(staging, "layer.tar"), ""};
  base::UniqueFd out(::open(layer.path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!out) return base::fail_errno("creating {}", layer.path);
  storage::TarWriter writer(storage::TarWriteOptions{true});
  BURROW_CHECK(writer.open(out.get()));
  BURROW_CHECK(storage::write_changes(writer, source.get(), changes));
  BURROW_CHECK(writer.close());
  if (::lseek(out.get(), 0, SEEK_SET) != 0) return base::fail_errno("rewinding {}", layer.path);
  BURROW_TRY(std::string hex, base::sha256_fd_hex(out.get()));
  layer.digest = "sha256:" + hex;
  return layer;
}

CommitSettings settings_of(const ContainerRecord& record, const StoredConfig& stored) {
  const CreateOptions& o = stored.options;
  CommitSettings settings;
  settings.command = o.command;
  settings.entrypoint = o.entrypoint;
  settings.env = o.env;
  settings.labels = o.labels;
  settings.workdir = o.workdir;
  settings.user = o.user;
  settings.stop_signal = o.stop_signal;
  settings.image_name = record.image_name;
  return settings;
}

// Holds the container stopped (SIGSTOP) while its files are read, when it runs.
struct PauseGuard {
  Engine& engine;
  std::string id;
  bool paused = false;
  ~PauseGuard() {
    if (paused) (void)unpause_container(engine, id);
  }
};

Result<std::string> register_image(Engine& engine, const ImageRecord& base_image,
                                   const StagedLayer& staged, const ContainerRecord& record,
                                   const CommitOptions& options) {
  BURROW_TRY(auto stored, stored_config(record));
  BURROW_TRY(image::ImageConfig base_config, image::parse_image_config(base_image.config));
  LayerTransaction layers(engine.paths(), engine.images());
  BURROW_TRY(std::string digest, layers.put_blob_file(staged.path, staged.digest));
  storage::BlobStore blobs(engine.paths().blobs());
  BURROW_TRY(std::string blob_path, blobs.path(digest));
  std::string media_type(image::media_type::kOciLayer);
  BURROW_TRY(LayerRecord layer, layers.install({blob_path, digest, media_type, digest}));
  std::string created = image::format_rfc3339({static_cast<int64_t>(::time(nullptr)), 0});
  BURROW_TRY(auto config, commit_config(std::move(base_config), settings_of(record, stored),
                                        options, layer.diff_id, created));
  std::string config_bytes = image::serialize_image_config(config);
  BURROW_TRY(std::string config_digest, layers.put_blob_bytes(config_bytes, std::nullopt));

  std::vector<LayerRecord> all;
  int64_t size = 0;
  for (const auto& diff_id : base_image.diff_ids) {
    BURROW_TRY(auto existing, engine.images().layer(diff_id));
    if (!existing)
      return base::failf(ENOENT, "layer {} of image {} is gone", diff_id, base_image.id);
    size += existing->size;
    all.push_back(*existing);
  }
  all.push_back(layer);
  ImageRecord image;
  image.id = config_digest.substr(7);
  image.config = config_bytes;
  image.created = static_cast<int64_t>(::time(nullptr));
  image.size = size + layer.size;
  image.diff_ids = config.rootfs.diff_ids;
  if (options.name) image.names = {*options.name};
  BURROW_CHECK(engine.images().add(image, all));
  layers.commit();
  return image.id;
}

}  // namespace

Result<image::ImageConfig> commit_config(image::ImageConfig config, const CommitSettings& settings,
                                         const CommitOptions& options, const std::string& diff_id,
                                         const std::string& created) {
  image::ContainerConfig& c = config.config;
  if (settings.entrypoint) {
    c.entrypoint = *settings.entrypoint;
    c.cmd.clear();  // a new entrypoint drops the image's CMD, as at run time
  }
  if (!settings.command.empty()) c.cmd = settings.command;
  for (const auto& entry : settings.env) set_env(c.env, entry);
  for (const auto& label : settings.labels) {
    size_t eq = label.find('=');
    c.labels[label.substr(0, eq)] = eq == std::string::npos ? "" : label.substr(eq + 1);
  }
  if (settings.workdir) c.working_dir = *settings.workdir;
  if (settings.user) c.user = *settings.user;
  if (settings.stop_signal) c.stop_signal = *settings.stop_signal;
  BURROW_CHECK(apply_config_changes(c, options.changes));
  config.created = created;
  config.created_epoch.reset();
  if (!options.author.empty()) config.author = options.author;
  config.rootfs.diff_ids.push_back(diff_id);
  image::HistoryEntry history;
  history.created = created;
  history.created_by = base::join(settings.command, " ");
  history.author = options.author;
  history.comment = options.message.empty() ? "FROM " + settings.image_name : options.message;
  config.history.push_back(std::move(history));
  return config;
}

Result<std::string> commit_container(Engine& engine, const std::string& reference,
                                     const CommitOptions& requested) {
  CommitOptions options = requested;
  if (options.name) {
    BURROW_TRY(options.name, normalize_new_name(*options.name));
  }
  // Invalid --change instructions fail before anything is written.
  image::ContainerConfig scratch;
  BURROW_CHECK(apply_config_changes(scratch, options.changes));
  ContainerStore store(engine.db());
  BURROW_TRY(auto found, store.find(reference));
  PauseGuard pause{engine, found.id};
  if (options.pause && is_active(found.state) && init_alive(found) && found.state != "paused") {
    BURROW_CHECK(pause_container(engine, found.id));
    pause.paused = true;
  }
  BURROW_TRY(auto lock, lock_container(engine.paths(), found.id));
  BURROW_TRY(auto record, store.find(found.id));
  BURROW_TRY(auto base_image, engine.images().find_by_id(record.image_id));
  if (!base_image)
    return base::failf(ENOENT, "container {}: its image {} is gone", record.name, record.image_id);
  BURROW_TRY(auto rootfs, container_rootfs_of(engine, record));
  BURROW_TRY(auto changes, rootfs_changes(rootfs));

  BURROW_TRY(auto storage_lock, lock_storage(engine.paths()));
  BURROW_TRY(std::string staging, base::make_temp_dir(engine.paths().tmp(), "commit-"));
  base::ScopeExit remove_staging([&] { (void)base::remove_tree(staging); });
  BURROW_TRY(StagedLayer staged, write_layer(rootfs, changes, staging));
  return register_image(engine, *base_image, staged, record, options);
}

}  // namespace burrow::engine

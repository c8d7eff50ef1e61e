#include "engine/pull_transfer.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <mutex>
#include <set>
#include <thread>

#include "base/file_util.h"
#include "base/scope_exit.h"
#include "engine/events.h"
#include "engine/layer_install.h"
#include "engine/pull_trust.h"
#include "engine/scratch_dir.h"
#include "image/image_config.h"
#include "storage-fuse/blob_store.h"

namespace burrow::engine {
namespace {

using registry::DistributionClient;
using registry::FetchedManifest;

constexpr size_t kDownloadThreads = 3;

struct ResolvedManifest {
  FetchedManifest top;       // what the reference names (maybe an index)
  FetchedManifest instance;  // the image manifest for our platform
  image::Manifest manifest;
};

void report(const PullSettings& settings, PullEvent event) {
  if (settings.report) settings.report(event);
}

base::Result<ResolvedManifest> resolve_manifest(DistributionClient& client,
                                                const image::Reference& ref,
                                                const image::Platform& platform) {
  ResolvedManifest resolved;
  BURROW_TRY(resolved.top, client.get_manifest(ref.digest.empty() ? ref.tag : ref.digest));
  resolved.instance = resolved.top;
  if (image::is_index_media_type(resolved.top.media_type)) {
    BURROW_TRY(auto index, image::parse_image_index(resolved.top.bytes));
    BURROW_TRY(auto chosen, image::select_platform(index, platform));
    BURROW_TRY(resolved.instance, client.get_manifest(chosen.digest));
    if (!image::is_manifest_media_type(resolved.instance.media_type))
      return base::failf(EINVAL, "{}: the index entry for {}/{} is not an image manifest",
                         ref.to_string(), platform.os, platform.architecture);
  }
  BURROW_TRY(resolved.manifest, image::parse_manifest(resolved.instance.bytes));
  return resolved;
}

// Layers the store already has need no download.
bool layer_present(Engine& engine, const std::string& diff_id) {
  auto stored = engine.images().layer(diff_id);
  return stored && *stored && base::is_directory(engine.paths().layer_dir(diff_id.substr(7)));
}

struct Download {
  image::Descriptor layer;
  std::string diff_id;
  std::string path;
  // Unpacked by the thread that downloaded it, while others still download.
  std::optional<PreparedLayer> prepared;
};

base::Status download_one(DistributionClient& client, Download& download, const StorePaths& paths,
                          const PullSettings& settings) {
  base::UniqueFd fd(::open(download.path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) return base::fail_errno("creating {}", download.path);
  report(settings, {PullEvent::Kind::kBlobStarted, download.layer.digest, 0, download.layer.size});
  auto progress = [&](int64_t done) {
    report(settings,
           {PullEvent::Kind::kBlobProgress, download.layer.digest, done, download.layer.size});
  };
  BURROW_CHECK(client.fetch_blob(download.layer.digest, download.layer.size, fd.get(), progress));
  report(settings, {PullEvent::Kind::kBlobDone, download.layer.digest, download.layer.size,
                    download.layer.size});
  LayerSource source{download.path, download.layer.digest, download.layer.media_type,
                     download.diff_id};
  BURROW_TRY(PreparedLayer prepared, prepare_layer(paths, source));
  download.prepared.emplace(std::move(prepared));
  return base::ok();
}

// Several threads take the next download from a shared counter, and unpack
// what they fetched, so one layer unpacks while others still download; the
// first failure stops the others from starting more.
base::Status download_all(DistributionClient& client, std::vector<Download>& downloads,
                          const StorePaths& paths, const PullSettings& settings) {
  std::atomic<size_t> next{0};
  std::mutex failure_mutex;
  std::optional<base::Error> failure;
  auto worker = [&](DistributionClient& own) {
    for (size_t i = next++; i < downloads.size(); i = next++) {
      auto fetched = download_one(own, downloads[i], paths, settings);
      if (fetched) continue;
      std::lock_guard guard(failure_mutex);
      if (!failure) failure = fetched.error();
      next = downloads.size();
    }
  };
  size_t extra = std::min(kDownloadThreads, downloads.size()) - (downloads.empty() ? 0 : 1);
  std::vector<std::unique_ptr<DistributionClient>> clients;
  for (size_t i = 0; i < extra; ++i) {
    auto copy = client.clone();
    if (!copy) break;
    clients.push_back(std::move(*copy));
  }
  std::vector<std::thread> threads;
  for (auto& own : clients) threads.emplace_back(worker, std::ref(*own));
  worker(client);
  for (auto& thread : threads) thread.join();
  if (failure) return tl::unexpected(*failure);
  return base::ok();
}

struct Fetched {
  ResolvedManifest resolved;
  std::string config_bytes;
  image::ImageConfig config;
  std::vector<Download> downloads;
};

// A downloaded layer's verified blob and prepared directory go into place;
// a layer the store had (or one listed twice) is found by its diff ID.
base::Result<LayerRecord> install_layer(LayerTransaction& layers, storage::BlobStore& blobs,
                                        std::vector<Download>& downloads,
                                        const image::Descriptor& layer,
                                        const std::string& diff_id) {
  for (auto& download : downloads) {
    if (download.layer.digest != layer.digest || !download.prepared) continue;
    if (!blobs.has(layer.digest)) BURROW_CHECK(layers.adopt_blob_file(download.path, layer.digest));
    PreparedLayer prepared = std::move(*download.prepared);
    download.prepared.reset();
    return layers.install_prepared(std::move(prepared));
  }
  LayerSource source{"", layer.digest, layer.media_type, diff_id};
  if (blobs.has(layer.digest)) {
    BURROW_TRY(source.blob_path, blobs.path(layer.digest));
  }
  return layers.install(source);
}

base::Result<ImageRecord> store_image(Engine& engine, const SourceToPull& what, Fetched& fetched,
                                      std::vector<LayerRecord>& layer_records) {
  LayerTransaction layers(engine.paths(), engine.images());
  storage::BlobStore blobs(engine.paths().blobs());
  ImageRecord record;
  const auto& manifest = fetched.resolved.manifest;
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    const auto& layer = manifest.layers[i];
    const std::string& diff_id = fetched.config.rootfs.diff_ids[i];
    BURROW_TRY(LayerRecord installed,
               install_layer(layers, blobs, fetched.downloads, layer, diff_id));
    record.size += installed.size;
    layer_records.push_back(installed);
  }
  BURROW_CHECK(layers.put_blob_bytes(fetched.config_bytes, manifest.config.digest));
  record.id = manifest.config.digest.substr(7);
  record.config = fetched.config_bytes;
  record.manifest = fetched.resolved.instance.bytes;
  record.digest = fetched.resolved.instance.digest;
  record.created = fetched.config.created_epoch.value_or(0);
  record.added = static_cast<int64_t>(::time(nullptr));
  record.names = {what.name.to_string()};
  record.diff_ids = fetched.config.rootfs.diff_ids;
  BURROW_CHECK(engine.images().add(record, layer_records));
  layers.commit();
  return record;
}

base::Result<Fetched> fetch_metadata(DistributionClient& client, const SourceToPull& what,
                                     const PullSettings& settings) {
  Fetched fetched;
  BURROW_TRY(fetched.resolved, resolve_manifest(client, what.source, settings.platform));
  report(settings, {PullEvent::Kind::kSignatures, "", 0, 0});
  BURROW_CHECK(check_pull_trust(settings, what.name, fetched.resolved.top.digest));
  const auto& manifest = fetched.resolved.manifest;
  BURROW_TRY(fetched.config_bytes,
             client.fetch_blob_bytes(manifest.config.digest, manifest.config.size));
  BURROW_TRY(fetched.config, image::parse_image_config(fetched.config_bytes));
  if (fetched.config.rootfs.diff_ids.size() != manifest.layers.size())
    return base::failf(EINVAL, "{}: the image config lists {} layers but the manifest has {}",
                       what.source.to_string(), fetched.config.rootfs.diff_ids.size(),
                       manifest.layers.size());
  return fetched;
}

}  // namespace

base::Result<std::string> pull_from_source(Engine& engine, const SourceToPull& what,
                                           const PullSettings& settings) {
  report(settings, {PullEvent::Kind::kTrying, what.source.to_string(), 0, 0});
  BURROW_TRY(auto client, connect_to_repository(settings.registry, what.source, what.insecure,
                                                registry::Access::kPull));
  BURROW_TRY(Fetched fetched, fetch_metadata(*client, what, settings));
  sweep_scratch_dirs(engine.paths().tmp(), "pull-");
  sweep_scratch_dirs(engine.paths().layers(), ".unpack-");
  BURROW_TRY(std::string staging, make_scratch_dir(engine.paths().tmp(), "pull-"));
  base::ScopeExit remove_staging([&] { (void)base::remove_tree(staging); });
  std::set<std::string> queued;
  for (size_t i = 0; i < fetched.resolved.manifest.layers.size(); ++i) {
    const auto& layer = fetched.resolved.manifest.layers[i];
    if (layer_present(engine, fetched.config.rootfs.diff_ids[i]) ||
        !queued.insert(layer.digest).second) {
      report(settings, {PullEvent::Kind::kBlobSkipped, layer.digest, layer.size, layer.size});
      continue;
    }
    fetched.downloads.push_back({layer, fetched.config.rootfs.diff_ids[i],
                                 base::path_join(staging, layer.digest.substr(7)), std::nullopt});
  }
  BURROW_CHECK(download_all(*client, fetched.downloads, engine.paths(), settings));
  // Podman lists the config after the layers, though it is fetched first.
  const auto& config = fetched.resolved.manifest.config;
  report(settings, {PullEvent::Kind::kConfig, config.digest, config.size, config.size});
  report(settings, {PullEvent::Kind::kWritingManifest, "", 0, 0});
  BURROW_TRY(auto lock, lock_storage(engine.paths()));
  std::vector<LayerRecord> layer_records;
  BURROW_TRY(ImageRecord record, store_image(engine, what, fetched, layer_records));
  record_image_event(engine.paths(), "pull", record.id, record.names.front());
  return record.id;
}

}  // namespace burrow::engine

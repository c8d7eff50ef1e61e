#include "engine/image_push.h"

#include <fcntl.h>

#include "base/unique_fd.h"
#include "engine/events.h"
#include "engine/image_manifest.h"
#include "engine/image_resolve.h"
#include "registry/lookaside.h"
#include "registry/registries_conf.h"
#include "registry/signature.h"
#include "storage-fuse/blob_store.h"

namespace burrow::engine {
namespace {

using Kind = PullEvent::Kind;

void report(const PushSettings& settings, PullEvent event) {
  if (settings.report) settings.report(event);
}

base::Result<image::Reference> destination_reference(const std::string& source,
                                                     const std::string& destination) {
  std::string text = destination.empty() ? source : destination;
  if (text.starts_with("docker://")) text = text.substr(9);
  BURROW_TRY(image::Reference ref, image::parse_reference(text));
  if (ref.is_short_name() || ref.domain == image::kLocalDomain)
    return base::failf(EINVAL,
                       "{} names no registry to push to: use burrow push IMAGE "
                       "HOST[:PORT]/NAME[:TAG]",
                       text);
  return ref;
}

// Another repository on the same registry that already holds the image's
// blobs, so the registry can link them instead of receiving them again.
std::optional<std::string> mount_source(const ImageRecord& image, const image::Reference& to) {
  for (const auto& name : image.names) {
    auto ref = image::parse_reference(name);
    if (ref && ref->domain == to.domain && ref->path != to.path) return ref->path;
  }
  return std::nullopt;
}

base::Status push_blob(registry::DistributionClient& client, Engine& engine,
                       const image::Descriptor& blob, const std::optional<std::string>& mount_from,
                       const PushSettings& settings) {
  BURROW_TRY(bool present, client.has_blob(blob.digest));
  if (present) {
    report(settings, {Kind::kBlobSkipped, blob.digest, blob.size, blob.size});
    return base::ok();
  }
  if (mount_from) {
    BURROW_TRY(bool mounted, client.mount_blob(blob.digest, *mount_from));
    if (mounted) {
      report(settings, {Kind::kBlobSkipped, blob.digest, blob.size, blob.size});
      return base::ok();
    }
  }
  storage::BlobStore blobs(engine.paths().blobs());
  BURROW_TRY(std::string path, blobs.path(blob.digest));
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return base::fail_errno("opening blob {}", blob.digest);
  report(settings, {Kind::kBlobStarted, blob.digest, 0, blob.size});
  auto progress = [&](int64_t done) {
    report(settings, {Kind::kBlobProgress, blob.digest, done, blob.size});
  };
  BURROW_CHECK(client.upload_blob(fd.get(), blob.digest, blob.size, progress));
  report(settings, {Kind::kBlobDone, blob.digest, blob.size, blob.size});
  return base::ok();
}

// The config is reported as Podman does, one line and no bar.
base::Status push_config(registry::DistributionClient& client, Engine& engine,
                         const image::Descriptor& config,
                         const std::optional<std::string>& mount_from,
                         const PushSettings& settings) {
  PushSettings silent = settings;
  silent.report = nullptr;
  BURROW_CHECK(push_blob(client, engine, config, mount_from, silent));
  report(settings, {Kind::kConfig, config.digest, config.size, config.size});
  return base::ok();
}

base::Status sign(const PushSettings& settings, const image::Reference& ref,
                  const std::string& digest) {
  BURROW_TRY(std::string signature,
             registry::create_signature(digest, ref.to_string(), *settings.sign_by));
  BURROW_TRY(auto lookaside, registry::load_lookaside_config_with_default(std::nullopt));
  BURROW_CHECK(registry::store_lookaside_signature(lookaside, ref, digest, signature));
  return base::ok();
}

}  // namespace

base::Result<ManifestFormat> parse_manifest_format(std::string_view text) {
  if (text == "oci") return ManifestFormat::kOci;
  if (text == "v2s2" || text == "docker") return ManifestFormat::kDockerV2;
  return base::failf(EINVAL, "unknown manifest format \"{}\": use oci or v2s2", text);
}

base::Result<PushResult> push_image(Engine& engine, const std::string& source,
                                    const std::string& destination, const PushSettings& settings) {
  BURROW_TRY(ImageRecord image, resolve_image(engine.images(), source));
  BURROW_TRY(image::Reference to, destination_reference(source, destination));
  std::optional<ManifestKind> kind;
  if (settings.format == ManifestFormat::kOci) kind = ManifestKind::kOci;
  if (settings.format == ManifestFormat::kDockerV2) kind = ManifestKind::kDockerV2;
  BURROW_TRY(ImageManifest built, manifest_for_image(engine, image, kind));
  BURROW_TRY(auto conf, registry::load_registries_conf());
  BURROW_TRY(auto client, connect_to_repository(settings.registry, to,
                                                registry::is_insecure_registry(conf, to.domain),
                                                registry::Access::kPush));
  report(settings, {Kind::kSignatures, "", 0, 0});
  auto mount_from = mount_source(image, to);
  for (const auto& layer : built.manifest.layers) {
    BURROW_CHECK(push_blob(*client, engine, layer, mount_from, settings));
  }
  BURROW_CHECK(push_config(*client, engine, built.manifest.config, mount_from, settings));
  report(settings, {Kind::kWritingManifest, "", 0, 0});
  std::string reference = to.digest.empty() ? to.tag : to.digest;
  BURROW_TRY(std::string digest, client->put_manifest(reference, built.bytes, built.media_type));
  if (settings.sign_by) {
    BURROW_CHECK(sign(settings, to, digest));
  }
  record_image_event(engine.paths(), "push", image.id, to.to_string());
  return PushResult{digest, to.to_string()};
}

}  // namespace burrow::engine

#include "engine/image_manifest.h"

#include <sys/stat.h>

#include <map>

#include "storage-fuse/blob_store.h"

namespace burrow::engine {
namespace {

namespace mt = image::media_type;

// OCI media types and their Docker schema 2 twins.
const std::map<std::string_view, std::string_view>& oci_to_docker() {
  static const std::map<std::string_view, std::string_view> table = {
      {mt::kOciConfig, mt::kDockerConfig},
      {mt::kOciLayer, mt::kDockerLayer},
      {mt::kOciLayerGzip, mt::kDockerLayerGzip},
      {mt::kOciForeignLayerGzip, mt::kDockerForeignLayerGzip},
      {mt::kOciManifest, mt::kDockerManifest},
  };
  return table;
}

base::Result<std::string> convert(std::string_view media_type, ManifestKind kind) {
  const auto& table = oci_to_docker();
  if (kind == ManifestKind::kDockerV2) {
    for (const auto& [oci, docker] : table)
      if (media_type == oci || media_type == docker) return std::string(docker);
    return base::failf(EINVAL,
                       "{} has no Docker schema 2 form (zstd layers need OCI): push with "
                       "--format oci",
                       media_type);
  }
  for (const auto& [oci, docker] : table)
    if (media_type == oci || media_type == docker) return std::string(oci);
  return std::string(media_type);  // an OCI-only type stays as it is
}

ManifestKind kind_of(std::string_view manifest_media_type) {
  return manifest_media_type == mt::kDockerManifest ? ManifestKind::kDockerV2 : ManifestKind::kOci;
}

// A manifest for the layers as recorded when the image came without one
// (import, commit, or a layer store from an older burrow).
base::Result<image::Manifest> manifest_from_records(Engine& engine, const ImageRecord& image) {
  storage::BlobStore blobs(engine.paths().blobs());
  image::Manifest manifest;
  manifest.media_type = mt::kOciManifest;
  manifest.config = {std::string(mt::kOciConfig),
                     "sha256:" + image.id,
                     static_cast<int64_t>(image.config.size()),
                     {},
                     {},
                     std::nullopt};
  for (const auto& diff_id : image.diff_ids) {
    BURROW_TRY(auto layer, engine.images().layer(diff_id));
    if (!layer)
      return base::failf(ENOENT, "layer {} of image {} is not in the store", diff_id, image.id);
    BURROW_TRY(std::string path, blobs.path(layer->blob_digest));
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
      return base::fail_errno("the blob {} of layer {} is missing from the store",
                              layer->blob_digest, diff_id);
    std::string media_type =
        layer->media_type.empty() ? std::string(mt::kOciLayer) : layer->media_type;
    manifest.layers.push_back({media_type, layer->blob_digest, st.st_size, {}, {}, std::nullopt});
  }
  return manifest;
}

}  // namespace

base::Result<ImageManifest> manifest_for_image(Engine& engine, const ImageRecord& image,
                                               std::optional<ManifestKind> kind) {
  ImageManifest built;
  if (image.manifest) {
    BURROW_TRY(built.manifest, image::parse_manifest(*image.manifest));
    BURROW_TRY(built.media_type, image::detect_manifest_media_type(*image.manifest));
    if (!kind || *kind == kind_of(built.media_type)) {
      built.bytes = *image.manifest;
      return built;
    }
  } else {
    BURROW_TRY(built.manifest, manifest_from_records(engine, image));
  }
  ManifestKind target = kind.value_or(ManifestKind::kOci);
  BURROW_TRY(built.media_type, convert(mt::kOciManifest, target));
  built.manifest.media_type = built.media_type;
  BURROW_TRY(built.manifest.config.media_type, convert(built.manifest.config.media_type, target));
  for (auto& layer : built.manifest.layers) {
    BURROW_TRY(layer.media_type, convert(layer.media_type, target));
  }
  built.bytes = image::serialize_manifest(built.manifest);
  return built;
}

}  // namespace burrow::engine

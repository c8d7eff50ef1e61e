// oci-archive: a tar of an OCI image layout (oci-layout, index.json,
// blobs/sha256/<hex>). Every blob is content-addressed, so each is checked
// against its name before anything refers to it.
#include <cerrno>

#include "base/digest.h"
#include "base/file_util.h"
#include "base/strings.h"
#include "image/archive_internal.h"
#include "image/json_fields.h"
#include "image/manifest.h"
#include "image/reference.h"

namespace burrow::image::archive_detail {

using base::failf;
using base::Result;
using base::Status;

namespace {

// Nested indexes are legal but real layouts use at most two levels.
constexpr int kMaxIndexDepth = 4;
constexpr std::string_view kBlobPrefix = "blobs/sha256/";
// containerd and docker 25+ put the full image name here; ref.name holds a tag.
constexpr std::string_view kContainerdNameAnnotation = "io.containerd.image.name";

Status check_layout_file(const StagedArchive& archive) {
  auto text = archive.read_small("oci-layout");
  if (!text) return tl::unexpected(text.error().with_context("oci-layout"));
  auto doc = json_fields::parse_object(*text, "oci-layout");
  if (!doc) return tl::unexpected(doc.error());
  auto version = json_fields::get_string(*doc, "imageLayoutVersion", "", true);
  if (!version) return tl::unexpected(version.error().with_context("oci-layout"));
  return base::ok();
}

// The staged blob for `d`, with its size checked (its digest was checked by
// verify_blob_names, since the name is the digest).
Result<const StagedMember*> find_blob(const StagedArchive& archive, const Descriptor& d) {
  BURROW_TRY(std::string hex, base::parse_sha256_digest(d.digest));
  auto member = archive.find(std::string(kBlobPrefix) + hex);
  if (!member) return failf(ENOENT, "blob {} is missing from the archive", d.digest);
  if ((*member)->digest != d.digest)
    return failf(EINVAL, "blob {} does not match its digest", d.digest);
  if ((*member)->size != d.size)
    return failf(EINVAL, "blob {} has {} bytes, but its descriptor says {}", d.digest,
                 (*member)->size, d.size);
  return member;
}

Result<std::string> read_blob(const StagedArchive& archive, const Descriptor& d) {
  BURROW_TRY(const StagedMember* member, find_blob(archive, d));
  auto text = base::read_file_limited(member->path, kMaxJsonSize);
  if (!text) return tl::unexpected(text.error().with_context(fmt::format("blob {}", d.digest)));
  return text;
}

Result<ArchiveImage> read_manifest(const StagedArchive& archive, const Descriptor& d) {
  ArchiveImage image;
  BURROW_TRY(std::string bytes, read_blob(archive, d));
  BURROW_TRY(Manifest manifest, parse_manifest(bytes));
  image.manifest_bytes = std::move(bytes);
  BURROW_TRY(image.config_bytes, read_blob(archive, manifest.config));
  image.config_digest = manifest.config.digest;
  BURROW_TRY(ImageConfig config, parse_image_config(image.config_bytes));
  for (const auto& layer : manifest.layers) {
    BURROW_TRY(const StagedMember* member, find_blob(archive, layer));
    image.layers.push_back(ArchiveLayer{member->path, member->digest, layer.media_type});
  }
  BURROW_CHECK(check_layers_against_config(image.layers, config));
  return image;
}

Result<ArchiveImage> read_entry(const StagedArchive& archive, const Descriptor& d, int depth) {
  if (is_manifest_media_type(d.media_type)) return read_manifest(archive, d);
  if (!is_index_media_type(d.media_type))
    return failf(EINVAL, "unsupported media type \"{}\" for {}", d.media_type, d.digest);
  if (depth >= kMaxIndexDepth) return failf(EINVAL, "image indexes nested too deeply");
  BURROW_TRY(std::string bytes, read_blob(archive, d));
  BURROW_TRY(ImageIndex index, parse_image_index(bytes));
  BURROW_TRY(Descriptor chosen, select_platform(index, host_platform()));
  return read_entry(archive, chosen, depth + 1);
}

void set_names(const Descriptor& entry, ArchiveImage& image) {
  auto annotation = [&](std::string_view key) -> std::string {
    auto it = entry.annotations.find(std::string(key));
    return it == entry.annotations.end() ? "" : it->second;
  };
  image.ref_name = annotation(kRefNameAnnotation);
  std::string full = annotation(kContainerdNameAnnotation);
  // A ref name with neither '/' nor ':' is a bare tag ("latest"): it names no
  // repository, so the image stays unnamed, as with Podman.
  if (full.empty() && image.ref_name.find_first_of("/:") != std::string::npos)
    full = image.ref_name;
  if (full.empty()) return;
  if (auto ref = parse_normalized_reference(full)) image.names.push_back(ref->to_string());
}

// A top-level index whose entries all name platforms is one multi-platform
// image (some exporters skip the nested index); otherwise each entry is an image.
Result<std::vector<Descriptor>> top_level_images(const ImageIndex& index) {
  bool all_platforms = index.manifests.size() > 1;
  for (const auto& entry : index.manifests)
    if (!entry.platform) all_platforms = false;
  if (!all_platforms) return index.manifests;
  BURROW_TRY(Descriptor chosen, select_platform(index, host_platform()));
  return std::vector<Descriptor>{chosen};
}

}  // namespace

Result<ArchiveContents> read_oci_archive(const StagedArchive& archive) {
  BURROW_CHECK(check_layout_file(archive));
  BURROW_CHECK(archive.verify_blob_names());
  BURROW_TRY(std::string text, archive.read_small("index.json"));
  auto index = parse_image_index(text);
  if (!index) return tl::unexpected(index.error().with_context("index.json"));
  if (index->manifests.empty()) return failf(EINVAL, "index.json lists no images");
  BURROW_TRY(std::vector<Descriptor> entries, top_level_images(*index));
  ArchiveContents contents{ArchiveFormat::kOciArchive, {}};
  for (const auto& entry : entries) {
    auto image = read_entry(archive, entry, 0);
    if (!image)
      return tl::unexpected(image.error().with_context(fmt::format("image {}", entry.digest)));
    set_names(entry, *image);
    contents.images.push_back(std::move(*image));
  }
  return contents;
}

}  // namespace burrow::image::archive_detail

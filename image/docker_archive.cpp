// docker-archive: manifest.json is an array of {Config, RepoTags, Layers},
// each naming members of the tar. Layers are usually uncompressed tars, so
// their digest is also their diff_id.
#include <cerrno>

#include "base/digest.h"
#include "image/archive_internal.h"
#include "image/json_fields.h"
#include "image/reference.h"

namespace burrow::image::archive_detail {

using base::failf;
using base::Result;
using json_fields::Json;

namespace {

struct DockerManifestEntry {
  std::string config;
  std::vector<std::string> repo_tags;
  std::vector<std::string> layers;
};

Result<std::vector<DockerManifestEntry>> parse_docker_manifest(std::string_view text) {
  Json doc;
  try {
    doc = Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    return failf(EINVAL, "invalid JSON: {}", e.what());
  }
  if (!doc.is_array()) return failf(EINVAL, "expected a JSON array");
  std::vector<DockerManifestEntry> out;
  for (size_t i = 0; i < doc.size(); ++i) {
    std::string where = fmt::format("[{}]", i);
    if (!doc[i].is_object()) return failf(EINVAL, "entry {} must be an object", where);
    DockerManifestEntry entry;
    BURROW_TRY(entry.config, json_fields::get_string(doc[i], "Config", where, true));
    BURROW_TRY(entry.repo_tags, json_fields::get_string_array(doc[i], "RepoTags", where));
    if (!json_fields::find(doc[i], "Layers"))
      return failf(EINVAL, "required field \"{}.Layers\" is missing", where);
    BURROW_TRY(entry.layers, json_fields::get_string_array(doc[i], "Layers", where));
    out.push_back(std::move(entry));
  }
  if (out.empty()) return failf(EINVAL, "no images listed");
  return out;
}

// The hex a config member's name promises: "<hex>.json" (docker save) or
// "blobs/sha256/<hex>" (docker 25+ writes an OCI layout beside manifest.json).
std::string digest_hex_in_name(const std::string& canonical) {
  std::string_view base = canonical;
  if (size_t slash = base.rfind('/'); slash != std::string_view::npos)
    base.remove_prefix(slash + 1);
  if (base.size() == 69 && base.substr(64) == ".json") base = base.substr(0, 64);
  if (base.size() == 64 && base::is_hex(base)) return std::string(base);
  return "";
}

Result<ArchiveImage> read_config(const StagedArchive& archive, const std::string& name) {
  ArchiveImage image;
  BURROW_TRY(const StagedMember* member, archive.find(name));
  BURROW_TRY(image.config_bytes, archive.read_small(name));
  image.config_digest = member->digest;
  BURROW_TRY(std::string canonical, normalize_member_name(name));
  std::string promised = digest_hex_in_name(canonical);
  if (!promised.empty() && "sha256:" + promised != member->digest)
    return failf(EINVAL, "config \"{}\" does not match its digest (content is {})", name,
                 member->digest);
  return image;
}

Result<ArchiveLayer> read_layer(const StagedArchive& archive, const std::string& name) {
  BURROW_TRY(const StagedMember* member, archive.find(name));
  auto type = sniff_layer_media_type(member->path);
  if (!type) return tl::unexpected(type.error().with_context(fmt::format("layer \"{}\"", name)));
  return ArchiveLayer{member->path, member->digest, *type};
}

Result<ArchiveImage> read_image(const StagedArchive& archive, const DockerManifestEntry& entry) {
  BURROW_TRY(ArchiveImage image, read_config(archive, entry.config));
  BURROW_TRY(ImageConfig config, parse_image_config(image.config_bytes));
  for (const auto& layer_name : entry.layers) {
    BURROW_TRY(ArchiveLayer layer, read_layer(archive, layer_name));
    image.layers.push_back(std::move(layer));
  }
  BURROW_CHECK(check_layers_against_config(image.layers, config));
  for (const auto& tag : entry.repo_tags) {
    auto ref = parse_normalized_reference(tag);
    if (!ref) return tl::unexpected(ref.error().with_context(fmt::format("RepoTags \"{}\"", tag)));
    image.names.push_back(ref->to_string());
  }
  return image;
}

}  // namespace

Result<ArchiveContents> read_docker_archive(const StagedArchive& archive) {
  BURROW_CHECK(archive.verify_blob_names());
  BURROW_TRY(std::string text, archive.read_small("manifest.json"));
  auto entries = parse_docker_manifest(text);
  if (!entries) return tl::unexpected(entries.error().with_context("manifest.json"));
  ArchiveContents contents{ArchiveFormat::kDockerArchive, {}};
  for (size_t i = 0; i < entries->size(); ++i) {
    auto image = read_image(archive, (*entries)[i]);
    if (!image)
      return tl::unexpected(image.error().with_context(fmt::format("manifest.json image {}", i)));
    contents.images.push_back(std::move(*image));
  }
  return contents;
}

}  // namespace burrow::image::archive_detail

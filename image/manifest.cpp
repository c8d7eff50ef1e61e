#include "image/manifest.h"

#include <cerrno>

#include "base/digest.h"
#include "base/strings.h"
#include "image/json_fields.h"

namespace burrow::image {

using base::failf;
using base::Result;
using json_fields::Json;
using OrderedJson = nlohmann::ordered_json;

bool is_manifest_media_type(std::string_view type) {
  return type == media_type::kOciManifest || type == media_type::kDockerManifest;
}

bool is_index_media_type(std::string_view type) {
  return type == media_type::kOciIndex || type == media_type::kDockerManifestList;
}

Result<Compression> layer_compression(std::string_view type) {
  namespace mt = media_type;
  if (type == mt::kOciLayer || type == mt::kOciForeignLayer || type == mt::kDockerLayer)
    return Compression::kNone;
  if (type == mt::kOciLayerGzip || type == mt::kOciForeignLayerGzip ||
      type == mt::kDockerLayerGzip || type == mt::kDockerForeignLayerGzip)
    return Compression::kGzip;
  if (type == mt::kOciLayerZstd || type == mt::kOciForeignLayerZstd) return Compression::kZstd;
  return failf(EINVAL, "unsupported layer media type \"{}\"", type);
}

Platform host_platform() {
  Platform p;
  p.os = "linux";
#if defined(__x86_64__)
  p.architecture = "amd64";
#elif defined(__aarch64__)
  p.architecture = "arm64";
#elif defined(__arm__)
  p.architecture = "arm";
  p.variant = "v7";
#elif defined(__i386__)
  p.architecture = "386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  p.architecture = "ppc64le";
#elif defined(__s390x__)
  p.architecture = "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  p.architecture = "riscv64";
#else
  p.architecture = "unknown";
#endif
  return p;
}

namespace {

Result<Platform> parse_platform(const Json& object, const std::string& where) {
  if (!object.is_object()) return failf(EINVAL, "field \"{}\" must be an object", where);
  Platform p;
  BURROW_TRY(p.architecture, json_fields::get_string(object, "architecture", where, true));
  BURROW_TRY(p.os, json_fields::get_string(object, "os", where, true));
  BURROW_TRY(p.variant, json_fields::get_string(object, "variant", where));
  BURROW_TRY(p.os_version, json_fields::get_string(object, "os.version", where));
  BURROW_TRY(p.os_features, json_fields::get_string_array(object, "os.features", where));
  return p;
}

Result<Descriptor> parse_descriptor(const Json& object, const std::string& where) {
  if (!object.is_object()) return failf(EINVAL, "field \"{}\" must be an object", where);
  Descriptor d;
  BURROW_TRY(d.media_type, json_fields::get_string(object, "mediaType", where, true));
  BURROW_TRY(d.digest, json_fields::get_string(object, "digest", where, true));
  if (auto hex = base::parse_sha256_digest(d.digest); !hex)
    return tl::unexpected(hex.error().with_context(json_fields::field_name(where, "digest")));
  BURROW_TRY(d.size, json_fields::get_int64(object, "size", where, true));
  if (d.size < 0) return failf(EINVAL, "field \"{}.size\" must not be negative", where);
  BURROW_TRY(d.urls, json_fields::get_string_array(object, "urls", where));
  BURROW_TRY(d.annotations, json_fields::get_string_map(object, "annotations", where));
  if (const Json* platform = json_fields::find(object, "platform")) {
    BURROW_TRY(d.platform, parse_platform(*platform, where + ".platform"));
  }
  return d;
}

Result<std::vector<Descriptor>> parse_descriptor_array(const Json& doc, std::string_view key) {
  const Json* array = json_fields::find(doc, key);
  if (!array) return failf(EINVAL, "required field \"{}\" is missing", key);
  if (!array->is_array()) return failf(EINVAL, "field \"{}\" must be an array", key);
  std::vector<Descriptor> out;
  for (size_t i = 0; i < array->size(); ++i) {
    BURROW_TRY(Descriptor d, parse_descriptor((*array)[i], fmt::format("{}[{}]", key, i)));
    out.push_back(std::move(d));
  }
  return out;
}

base::Status check_schema_version(const Json& doc) {
  BURROW_TRY(int64_t version, json_fields::get_int64(doc, "schemaVersion", "", true));
  if (version != 2) return failf(EINVAL, "unsupported schemaVersion {} (only 2 is)", version);
  return base::ok();
}

Result<Manifest> parse_manifest_fields(const Json& doc) {
  BURROW_CHECK(check_schema_version(doc));
  Manifest m;
  BURROW_TRY(m.media_type, json_fields::get_string(doc, "mediaType", ""));
  if (!m.media_type.empty() && !is_manifest_media_type(m.media_type))
    return failf(EINVAL, "media type \"{}\" is not an image manifest", m.media_type);
  const Json* config = json_fields::find(doc, "config");
  if (!config) return failf(EINVAL, "required field \"config\" is missing");
  BURROW_TRY(m.config, parse_descriptor(*config, "config"));
  // Artifacts (Helm charts, signatures) use manifests too; they are not images.
  if (m.config.media_type != media_type::kOciConfig &&
      m.config.media_type != media_type::kDockerConfig)
    return failf(EINVAL, "config media type \"{}\" is not a container image config",
                 m.config.media_type);
  BURROW_TRY(m.layers, parse_descriptor_array(doc, "layers"));
  for (size_t i = 0; i < m.layers.size(); ++i)
    if (auto c = layer_compression(m.layers[i].media_type); !c)
      return tl::unexpected(c.error().with_context(fmt::format("layers[{}]", i)));
  BURROW_TRY(m.annotations, json_fields::get_string_map(doc, "annotations", ""));
  return m;
}

Result<ImageIndex> parse_index_fields(const Json& doc) {
  BURROW_CHECK(check_schema_version(doc));
  ImageIndex index;
  BURROW_TRY(index.media_type, json_fields::get_string(doc, "mediaType", ""));
  if (!index.media_type.empty() && !is_index_media_type(index.media_type))
    return failf(EINVAL, "media type \"{}\" is not an image index", index.media_type);
  BURROW_TRY(index.manifests, parse_descriptor_array(doc, "manifests"));
  BURROW_TRY(index.annotations, json_fields::get_string_map(doc, "annotations", ""));
  return index;
}

template <typename T>
Result<T> with_context(Result<T> result, std::string_view context) {
  if (!result) return tl::unexpected(result.error().with_context(context));
  return result;
}

OrderedJson platform_json(const Platform& p) {
  OrderedJson out = {{"architecture", p.architecture}, {"os", p.os}};
  if (!p.os_version.empty()) out["os.version"] = p.os_version;
  if (!p.os_features.empty()) out["os.features"] = p.os_features;
  if (!p.variant.empty()) out["variant"] = p.variant;
  return out;
}

OrderedJson descriptor_json(const Descriptor& d) {
  OrderedJson out = {{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}};
  if (!d.urls.empty()) out["urls"] = d.urls;
  if (!d.annotations.empty()) out["annotations"] = d.annotations;
  if (d.platform) out["platform"] = platform_json(*d.platform);
  return out;
}

std::string platform_string(const Platform& p) {
  std::string out = p.os + "/" + p.architecture;
  if (!p.variant.empty()) out += "/" + p.variant;
  return out;
}

bool platform_matches(const Platform& have, const Platform& want) {
  if (have.os != want.os || have.architecture != want.architecture) return false;
  return want.variant.empty() || have.variant.empty() || have.variant == want.variant;
}

}  // namespace

Result<Manifest> parse_manifest(std::string_view json) {
  BURROW_TRY(Json doc, json_fields::parse_object(json, "image manifest"));
  return with_context(parse_manifest_fields(doc), "image manifest");
}

Result<ImageIndex> parse_image_index(std::string_view json) {
  BURROW_TRY(Json doc, json_fields::parse_object(json, "image index"));
  return with_context(parse_index_fields(doc), "image index");
}

Result<std::string> detect_manifest_media_type(std::string_view json) {
  BURROW_TRY(Json doc, json_fields::parse_object(json, "manifest"));
  auto type = json_fields::get_string(doc, "mediaType", "");
  if (!type) return tl::unexpected(type.error().with_context("manifest"));
  if (!type->empty()) return type;
  if (json_fields::find(doc, "manifests")) return std::string(media_type::kOciIndex);
  if (json_fields::find(doc, "layers")) return std::string(media_type::kOciManifest);
  return failf(EINVAL, "manifest: neither an image manifest nor an image index");
}

std::string serialize_manifest(const Manifest& manifest) {
  OrderedJson out = {{"schemaVersion", 2}};
  if (!manifest.media_type.empty()) out["mediaType"] = manifest.media_type;
  out["config"] = descriptor_json(manifest.config);
  OrderedJson layers = OrderedJson::array();
  for (const auto& layer : manifest.layers) layers.push_back(descriptor_json(layer));
  out["layers"] = std::move(layers);
  if (!manifest.annotations.empty()) out["annotations"] = manifest.annotations;
  return out.dump();
}

std::string serialize_image_index(const ImageIndex& index) {
  OrderedJson out = {{"schemaVersion", 2}};
  if (!index.media_type.empty()) out["mediaType"] = index.media_type;
  OrderedJson manifests = OrderedJson::array();
  for (const auto& entry : index.manifests) manifests.push_back(descriptor_json(entry));
  out["manifests"] = std::move(manifests);
  if (!index.annotations.empty()) out["annotations"] = index.annotations;
  return out.dump();
}

Result<Descriptor> select_platform(const ImageIndex& index, const Platform& want) {
  std::vector<std::string> available;
  for (const auto& entry : index.manifests) {
    if (!entry.platform) continue;
    if (platform_matches(*entry.platform, want)) return entry;
    available.push_back(platform_string(*entry.platform));
  }
  if (index.manifests.size() == 1) return index.manifests.front();
  return failf(ENOENT, "no image for platform {} in the index (available: {})",
               platform_string(want), available.empty() ? "none" : base::join(available, ", "));
}

}  // namespace burrow::image

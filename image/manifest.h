// Image manifests and indexes: OCI image manifest / index and their Docker
// schema 2 counterparts (manifest, manifest list). Schema 1 is not supported.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace burrow::image {

namespace media_type {
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kOciForeignLayer =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr std::string_view kOciForeignLayerGzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr std::string_view kOciForeignLayerZstd =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view kDockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view kDockerForeignLayerGzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
}  // namespace media_type

// The annotation naming an image inside an OCI layout's index.json.
inline constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";

enum class Compression { kNone, kGzip, kZstd };

bool is_manifest_media_type(std::string_view media_type);
bool is_index_media_type(std::string_view media_type);
// The compression a layer media type implies; an error for anything that is
// not a known layer type.
base::Result<Compression> layer_compression(std::string_view media_type);

struct Platform {
  std::string architecture;
  std::string os;
  std::string variant;
  std::string os_version;
  std::vector<std::string> os_features;

  bool operator==(const Platform&) const = default;
};

// linux and the architecture this binary was built for ("amd64", "arm64").
Platform host_platform();

struct Descriptor {
  std::string media_type;
  std::string digest;  // validated "sha256:<hex>"
  int64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;

  bool operator==(const Descriptor&) const = default;
};

struct Manifest {
  std::string media_type;  // as written; may be empty in OCI manifests
  Descriptor config;
  std::vector<Descriptor> layers;
  std::map<std::string, std::string> annotations;

  bool operator==(const Manifest&) const = default;
};

struct ImageIndex {
  std::string media_type;  // as written; may be empty in OCI indexes
  std::vector<Descriptor> manifests;
  std::map<std::string, std::string> annotations;

  bool operator==(const ImageIndex&) const = default;
};

// Requires schemaVersion 2 and a config; checks every descriptor's digest and
// size and that each layer has a known layer media type.
base::Result<Manifest> parse_manifest(std::string_view json);
base::Result<ImageIndex> parse_image_index(std::string_view json);

// Which kind of document `json` is, from its mediaType or, when that is
// absent (allowed by OCI), from having "manifests" or "layers". Returns the
// media type to treat it as.
base::Result<std::string> detect_manifest_media_type(std::string_view json);

std::string serialize_manifest(const Manifest& manifest);
std::string serialize_image_index(const ImageIndex& index);

// The index entry for `want` (os and architecture must match; variant too when
// `want` names one). With no match, the only entry when there is exactly one.
base::Result<Descriptor> select_platform(const ImageIndex& index, const Platform& want);

}  // namespace burrow::image

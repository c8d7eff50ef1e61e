// Reading image archives: docker-archive (`docker save`, `podman save`) and
// oci-archive (a tar of an OCI image layout). The tar is untrusted: it is
// streamed once, its regular files are staged under names burrow chooses, and
// manifests may only refer to members of that staged set.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace burrow::image {

struct ArchiveLayer {
  std::string path;        // staged file holding the layer blob as stored (maybe compressed)
  std::string digest;      // "sha256:<hex>" of the staged file, computed while staging
  std::string media_type;  // from the OCI manifest; for docker-archive, from the content
};

struct ArchiveImage {
  std::string config_bytes;  // exact bytes: the image ID is their sha256
  std::string config_digest;
  std::vector<ArchiveLayer> layers;
  // Full references: RepoTags normalised as Podman does on load
  // ("busybox:latest" -> "docker.io/library/busybox:latest"), or the OCI ref
  // name when it is a reference rather than a bare tag. May be empty.
  std::vector<std::string> names;
  // The org.opencontainers.image.ref.name annotation as written ("latest",
  // "localhost/busybox:latest"); empty for docker-archive.
  std::string ref_name;
  std::optional<std::string> manifest_bytes;  // oci-archive only
};

enum class ArchiveFormat { kDockerArchive, kOciArchive };

struct ArchiveContents {
  ArchiveFormat format = ArchiveFormat::kDockerArchive;
  std::vector<ArchiveImage> images;
};

// Streams the tar (uncompressed, gzip, zstd, xz or bzip2) from `fd` once,
// staging its regular files into `staging_dir`, which the caller creates and
// removes. Then reads manifest.json (docker-archive) or oci-layout and
// index.json (oci-archive; a nested index yields the host platform's image or
// its only entry). Every OCI blob is checked against its digest, and a
// docker-archive config named "<hex>.json" against its name. `fd` is borrowed.
base::Result<ArchiveContents> read_image_archive(int fd, const std::string& staging_dir);

// The same for a directory: an OCI image layout (what `save --format oci-dir`
// writes) or an unpacked docker-archive. Its files are copied into
// `staging_dir` and checked exactly as an archive's members are.
base::Result<ArchiveContents> read_image_directory(const std::string& dir,
                                                   const std::string& staging_dir);

}  // namespace burrow::image

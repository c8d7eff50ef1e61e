// `burrow save`: local images as a docker-archive, an oci-archive or an OCI
// layout directory, which `burrow load` (and Podman, Docker) read back.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"

namespace burrow::engine {

enum class SaveFormat { kDockerArchive, kOciArchive, kOciDir };

// "docker-archive", "oci-archive", "oci-dir"; an error naming the choices.
Result<SaveFormat> parse_save_format(std::string_view name);

struct SaveOptions {
  SaveFormat format = SaveFormat::kDockerArchive;
  // IMAGE... as given. Without multi_image, Podman's rule: the first names
  // the image and the others are extra tags written into the docker-archive.
  std::vector<std::string> images;
  bool multi_image = false;
  // The OCI formats gzip their layers unless this is set (Podman's
  // --uncompressed); a docker-archive always holds uncompressed tars.
  bool uncompressed = false;
};

// Streams an archive format to `out_fd` (borrowed). The images are checked
// before the first byte is written; the storage lock is not held while
// writing, so `save | load` cannot deadlock.
Status save_images_to_fd(Engine& engine, const SaveOptions& options, int out_fd);

// Writes a file (archive formats) or directory (oci-dir) at `path`, built
// under a temporary name beside it and renamed into place, so a failure
// leaves nothing. An existing non-empty directory is not replaced.
Status save_images_to_path(Engine& engine, const SaveOptions& options, const std::string& path);

}  // namespace burrow::engine

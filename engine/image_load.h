// `burrow load` and `burrow import`: images from archives and rootfs tarballs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"

namespace burrow::engine {

// Loads every image of a docker-archive or oci-archive read from `fd`.
// Returns what Podman prints after "Loaded image: ": names, or ids of
// unnamed images.
Result<std::vector<std::string>> load_images(Engine& engine, int fd);
// The same from a directory: an OCI image layout (`save --format oci-dir`)
// or an unpacked docker-archive, checked as strictly as an archive.
Result<std::vector<std::string>> load_images_from_directory(Engine& engine, const std::string& dir);

struct ImportOptions {
  std::optional<std::string> name;
  std::vector<std::string> changes;  // --change "CMD [\"sh\"]", "ENV A=1", ...
  std::string message;               // --message, the history comment
};

// Makes a one-layer image from a plain rootfs tarball; returns its id.
Result<std::string> import_rootfs(Engine& engine, int fd, const ImportOptions& options);

}  // namespace burrow::engine

// The image manifest a stored image is pushed (or saved) with: the stored
// one when it still describes the stored blobs, else one built from the
// layer records, in OCI or Docker schema 2 form.
#pragma once

#include <string>

#include "base/result.h"
#include "engine/engine.h"
#include "image/manifest.h"

namespace burrow::engine {

struct ImageManifest {
  image::Manifest manifest;
  std::string bytes;       // exactly what is pushed; its sha256 is the manifest digest
  std::string media_type;  // of the manifest itself
};

enum class ManifestKind { kOci, kDockerV2 };

// `kind` empty: the stored manifest when there is one (else OCI).
base::Result<ImageManifest> manifest_for_image(Engine& engine, const ImageRecord& image,
                                               std::optional<ManifestKind> kind);

}  // namespace burrow::engine

// `burrow push`: a local image's blobs and manifest to a registry. Blobs the
// registry has are skipped, blobs in another repository of the same
// registry are mounted, the rest uploaded; the manifest goes in the format
// the image was stored in, or converted to the one asked for.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "engine/engine.h"
#include "engine/pull_transfer.h"

namespace burrow::engine {

enum class ManifestFormat { kAsStored, kOci, kDockerV2 };

// "oci", "v2s2" (or "docker"); an error naming the choices.
base::Result<ManifestFormat> parse_manifest_format(std::string_view text);

struct PushSettings {
  RegistryOptions registry;
  ManifestFormat format = ManifestFormat::kAsStored;
  std::optional<std::string> sign_by;  // a GPG key for a simple-signing signature
  PullReporter report;                 // the same events pull reports
};

struct PushResult {
  std::string manifest_digest;
  std::string destination;  // the full reference pushed to
};

// `destination` may be empty (push to the name given as `source`) and may
// carry Podman's "docker://" prefix.
base::Result<PushResult> push_image(Engine& engine, const std::string& source,
                                    const std::string& destination, const PushSettings& settings);

}  // namespace burrow::engine

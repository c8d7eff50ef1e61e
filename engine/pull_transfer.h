// Fetching one image from one registry source into the store: the manifest
// (an index resolved to the wanted platform), the trust policy's verdict,
// the config, then every layer the store lacks, several at once, each
// verified against its digest before anything is registered.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "engine/engine.h"
#include "engine/registry_access.h"
#include "image/manifest.h"
#include "image/reference.h"

namespace burrow::engine {

struct PullEvent {
  enum class Kind {
    kTrying,        // text: the reference
    kSignatures,    // checking the trust policy
    kBlobStarted,   // text: digest; total: size
    kBlobProgress,  // done of total bytes
    kBlobDone,
    kBlobSkipped,  // already in the store
    kConfig,       // text: the config digest
    kWritingManifest,
  };
  Kind kind;
  std::string text;
  int64_t done = 0;
  int64_t total = 0;
};
// Called from several download threads at once: it must be thread-safe.
using PullReporter = std::function<void(const PullEvent&)>;

struct PullSettings {
  RegistryOptions registry;
  image::Platform platform;                     // wanted; defaults from the host
  std::optional<std::string> signature_policy;  // --signature-policy
  PullReporter report;
};

struct SourceToPull {
  image::Reference source;  // where the bytes come from (a mirror, maybe)
  image::Reference name;    // the name the image gets
  bool insecure = false;
};

// Returns the image id. Nothing is stored unless everything verified.
base::Result<std::string> pull_from_source(Engine& engine, const SourceToPull& what,
                                           const PullSettings& settings);

}  // namespace burrow::engine

// `burrow pull` and the pull that run and create do for a missing image:
// short names resolved through registries.conf (aliases, then each
// unqualified-search registry), each candidate fetched from its mirrors and
// then its location, until one succeeds.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "engine/engine.h"
#include "engine/pull_transfer.h"

namespace burrow::engine {

enum class PullPolicy { kAlways, kMissing, kNever, kNewer };

// "always", "missing", "never", "newer" (and Docker's "true"/"false").
base::Result<PullPolicy> parse_pull_policy(std::string_view text);

// Returns the pulled image's id.
base::Result<std::string> pull_image(Engine& engine, const std::string& input,
                                     const PullSettings& settings);

// The image run and create use: the local one, or one pulled as `policy`
// says. kNewer pulls when the registry has a different manifest for the name.
base::Result<ImageRecord> image_for_run(Engine& engine, const std::string& input, PullPolicy policy,
                                        const PullSettings& settings);

}  // namespace burrow::engine

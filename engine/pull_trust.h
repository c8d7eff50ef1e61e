// The trust policy's verdict on an image about to be pulled, with its
// signatures read from the lookaside store registries.d names.
#pragma once

#include <string_view>

#include "base/result.h"
#include "engine/pull_transfer.h"

namespace burrow::engine {

base::Status check_pull_trust(const PullSettings& settings, const image::Reference& name,
                              std::string_view manifest_digest);

}  // namespace burrow::engine

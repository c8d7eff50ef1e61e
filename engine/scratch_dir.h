// Scratch directories for one command's staging (a pull's downloads, a
// load's archive, a layer being unpacked), named after the process that
// made them. A command killed with SIGKILL cannot clean up; the next one
// that makes scratch directories of the same kind removes those whose
// process is gone.
#pragma once

#include <string>

#include "base/result.h"

namespace burrow::engine {

// "<parent>/<prefix><pid>-XXXXXX", created 0700.
Result<std::string> make_scratch_dir(const std::string& parent, const std::string& prefix);

// Removes "<parent>/<prefix><pid>-*" entries whose process no longer
// exists. Never one of a live process, so it needs no lock; failures are
// only logged.
void sweep_scratch_dirs(const std::string& parent, const std::string& prefix);

}  // namespace burrow::engine

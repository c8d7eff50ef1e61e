// `burrow export`: the container's whole root file system as one tar.
#pragma once

#include <string>

#include "base/result.h"
#include "engine/engine.h"

namespace burrow::engine {

// Writes the merged rootfs (what the container sees, without whiteouts or
// layer metadata) to `out_fd`, mounting it for the while if needed.
Status export_container(Engine& engine, const std::string& reference, int out_fd);

}  // namespace burrow::engine

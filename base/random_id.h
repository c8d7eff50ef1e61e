// Random 64-hex-digit identifiers for containers.
#pragma once

#include <string>

namespace burrow::base {

std::string random_hex_id();

}  // namespace burrow::base

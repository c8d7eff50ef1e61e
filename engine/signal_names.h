// Signal names as users write them: "SIGTERM", "term", "15", "RTMIN+3".
#pragma once

#include <string>

#include "base/result.h"

namespace burrow::engine {

Result<int> parse_signal(const std::string& text);

}  // namespace burrow::engine

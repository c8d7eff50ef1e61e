// RFC 3339 timestamps as image configs and history entries carry them
// ("2024-05-01T12:00:00.123456789Z", "2024-05-01T14:00:00+02:00").
// Pure arithmetic, no time-zone database: configs always name their offset.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace burrow::image {

struct Timestamp {
  int64_t seconds = 0;  // since the Unix epoch, UTC
  int32_t nanos = 0;    // 0 .. 999999999

  bool operator==(const Timestamp&) const = default;
};

// Accepts "T" or "t" or " " between date and time, 1 to 9 fractional digits,
// and "Z" or "+hh:mm" / "-hh:mm". Years 0001..9999 (Go's zero time included).
base::Result<Timestamp> parse_rfc3339(std::string_view text);

// UTC with "Z"; fractional seconds only when non-zero, without trailing zeros
// (Go's RFC3339Nano form, which Docker and Podman write).
std::string format_rfc3339(Timestamp time);

}  // namespace burrow::image

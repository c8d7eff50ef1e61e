// Durations in Go's notation, as Podman reads and prints them: "1h30m",
// "2.5s", "300ms", "-1.5h".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace burrow::base {

// Go's time.ParseDuration, in nanoseconds: "0", or a signed sequence of
// decimal numbers each with a unit (ns, us, µs, ms, s, m, h). Nullopt when
// the text is not one, or it overflows.
std::optional<int64_t> parse_go_duration(std::string_view text);

// Go's Duration.String(): "0s", "250ms", "1.5s", "2h5m38.737137571s".
std::string format_go_duration(int64_t nanoseconds);

}  // namespace burrow::base

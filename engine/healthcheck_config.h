// A container's healthcheck as configured: the --health-* flags of run and
// create, the image's Healthcheck, and the two merged into what is stored
// with the container.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace burrow::image {
struct HealthcheckConfig;
}

namespace burrow::engine {

inline constexpr int64_t kSecondNs = 1000000000;

struct HealthConfig {
  // {"CMD-SHELL", "cmd"} (run with /bin/sh -c) or {"CMD", argv...}.
  std::vector<std::string> test;
  int64_t interval_ns = 30 * kSecondNs;  // 0: no periodic runs (--health-interval disable)
  int64_t timeout_ns = 30 * kSecondNs;
  int64_t start_period_ns = 0;
  int retries = 3;

  bool operator==(const HealthConfig&) const = default;
};

// The flags as given; whatever is unset comes from the image, then from the
// defaults above.
struct HealthOverrides {
  std::optional<std::vector<std::string>> test;  // {"NONE"} disables
  std::optional<int64_t> interval_ns, timeout_ns, start_period_ns;
  std::optional<int> retries;
  bool disabled = false;  // --no-healthcheck
};

// "--health-cmd": a JSON array (["CMD", "a", "b"], ["CMD-SHELL", "x"], or
// plain arguments, which get "CMD" in front), "none", or a shell command.
Result<std::vector<std::string>> parse_health_command(const std::string& value);

// A Go duration ("30s", "1m30s", "500ms"), as the --health-* durations are
// written. `flag` names the option in errors; `allow_disable` accepts
// "disable" (returned as 0) for --health-interval.
Result<int64_t> parse_health_duration(std::string_view text, std::string_view flag,
                                      bool allow_disable = false);

// The healthcheck a new container gets; nullopt when it has none.
std::optional<HealthConfig> resolve_healthcheck(const HealthOverrides& flags,
                                                const image::HealthcheckConfig* image);

}  // namespace burrow::engine

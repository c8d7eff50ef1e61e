#include "engine/healthcheck_config.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "base/go_duration.h"
#include "base/strings.h"
#include "image/image_config.h"

namespace burrow::engine {
namespace {

bool is_none(const std::string& value) {
  std::string lower = value;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return lower == "none";
}

}  // namespace

Result<std::vector<std::string>> parse_health_command(const std::string& value) {
  std::string_view trimmed = base::trim(value);
  if (trimmed.empty())
    return base::fail(EINVAL, "--health-cmd is empty: give a command, or use --no-healthcheck");
  if (is_none(std::string(trimmed))) return std::vector<std::string>{"NONE"};
  if (trimmed.front() != '[') return std::vector<std::string>{"CMD-SHELL", value};
  auto parsed = nlohmann::json::parse(trimmed, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_array() || parsed.empty())
    return base::failf(EINVAL, "--health-cmd {}: not a JSON array of strings", value);
  std::vector<std::string> args;
  for (const auto& item : parsed) {
    if (!item.is_string())
      return base::failf(EINVAL, "--health-cmd {}: not a JSON array of strings", value);
    args.push_back(item.get<std::string>());
  }
  const std::string& first = args.front();
  if (first == "NONE") return std::vector<std::string>{"NONE"};
  if (first == "CMD" || first == "CMD-SHELL") {
    if (args.size() < 2)
      return base::failf(EINVAL, "--health-cmd {}: no command after {}", value, first);
    return args;
  }
  args.insert(args.begin(), "CMD");
  return args;
}

Result<int64_t> parse_health_duration(std::string_view text, std::string_view flag,
                                      bool allow_disable) {
  if (allow_disable && text == "disable") return int64_t{0};
  auto ns = base::parse_go_duration(text);
  if (!ns || *ns < 0)
    return base::failf(EINVAL, "invalid {} \"{}\": use a duration such as 30s, 1m30s or 500ms{}",
                       flag, text, allow_disable ? ", or disable" : "");
  return *ns;
}

std::optional<HealthConfig> resolve_healthcheck(const HealthOverrides& flags,
                                                const image::HealthcheckConfig* image) {
  if (flags.disabled) return std::nullopt;
  std::vector<std::string> test;
  if (flags.test)
    test = *flags.test;
  else if (image)
    test = image->test;
  if (test.empty() || test.front() == "NONE") return std::nullopt;
  HealthConfig config;
  config.test = std::move(test);
  // The image's zero values mean "the default", as in Docker's config.
  if (image && image->interval > 0) config.interval_ns = image->interval;
  if (image && image->timeout > 0) config.timeout_ns = image->timeout;
  if (image && image->start_period > 0) config.start_period_ns = image->start_period;
  if (image && image->retries > 0) config.retries = image->retries;
  config.interval_ns = flags.interval_ns.value_or(config.interval_ns);
  config.timeout_ns = flags.timeout_ns.value_or(config.timeout_ns);
  config.start_period_ns = flags.start_period_ns.value_or(config.start_period_ns);
  config.retries = flags.retries.value_or(config.retries);
  return config;
}

}  // namespace burrow::engine

#include "cli/event_format.h"

#include <ctime>

#include "fmt/core.h"

namespace burrow::cli {

std::string event_time_text(int64_t ns) {
  time_t seconds = static_cast<time_t>(ns / 1000000000);
  int64_t nanos = ns % 1000000000;
  if (nanos < 0) {
    nanos += 1000000000;
    --seconds;
  }
  tm local{};
  ::localtime_r(&seconds, &local);
  char date[32], zone[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &local);
  std::strftime(zone, sizeof zone, "%z %Z", &local);
  std::string fraction;
  if (nanos != 0) {
    fraction = fmt::format(".{:09d}", nanos);
    while (fraction.back() == '0') fraction.pop_back();
  }
  return fmt::format("{}{} {}", date, fraction, zone);
}

std::string event_line(const engine::Event& e, bool truncate) {
  std::string id = truncate && e.id.size() > 12 ? e.id.substr(0, 12) : e.id;
  std::string line = fmt::format("{} {} {} {}", event_time_text(e.time_ns), e.type, e.status, id);
  if (e.type != "container") return line + " " + e.name;
  line += fmt::format(" (image={}, name={}", e.image, e.name);
  if (!e.health_status.empty()) line += ", health_status=" + e.health_status;
  if (e.exit_code && e.status == "died")
    line += fmt::format(", containerExitCode={}", *e.exit_code);
  for (const auto& [key, value] : e.attributes) line += fmt::format(", {}={}", key, value);
  return line + ")";
}

nlohmann::json event_template_values(const engine::Event& e) {
  return {{"ID", e.id},
          {"Image", e.image},
          {"Name", e.name},
          {"Status", e.status},
          {"Type", e.type},
          {"Time", event_time_text(e.time_ns)},
          {"TimeNano", e.time_ns},
          {"Attributes", e.attributes},
          {"ContainerExitCode", e.exit_code.value_or(0)},
          {"HealthStatus", e.health_status},
          {"Network", ""},
          {"PodID", ""}};
}

}  // namespace burrow::cli

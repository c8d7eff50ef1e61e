// How `burrow events` shows an event: Podman's line format and the values a
// --format template sees.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/events.h"

namespace burrow::cli {

// Go's time.Time String() in the local zone, as Podman prints event times:
// "2026-11-23 10:00:00.123456789 +0000 UTC" (trailing zeros dropped).
std::string event_time_text(int64_t ns);

// "TIME container create ID (image=IMAGE, name=NAME, LABEL=VALUE...)", or
// "TIME image tag ID NAME"; `truncate` shortens the id to 12 characters.
std::string event_line(const engine::Event& event, bool truncate);

// ID, Image, Name, Status, Type, Time, TimeNano, Attributes,
// ContainerExitCode, HealthStatus.
nlohmann::json event_template_values(const engine::Event& event);

}  // namespace burrow::cli

// The event log: what happened to containers and images, one JSON object a
// line in RUNROOT/events/events.log (Podman's "file" events logger keeps
// its log in tmp as well). Each event is a single O_APPEND write, so
// concurrent commands never interleave; past a size cap the file is
// rotated to events.log.1. Recording never fails a command.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "engine/container_store.h"
#include "engine/store_paths.h"

namespace burrow::engine {

struct Event {
  std::string type;    // container, image
  std::string status;  // create, init, start, died, cleanup, remove, ...
  std::string id;
  std::string name;
  std::string image;
  std::map<std::string, std::string> attributes;  // the container's labels
  std::optional<int64_t> exit_code;               // died, exec_died
  std::string health_status;                      // health_status
  int64_t time_ns = 0;                            // Unix nanoseconds; 0: now

  bool operator==(const Event&) const = default;
};

inline constexpr uint64_t kEventLogMaxSize = 1 << 20;

std::string events_log_path(const StorePaths& paths);

// The stored (and `--format json`) form, Podman's field names, no newline.
std::string event_to_json(const Event& event);
Result<Event> event_from_json(std::string_view line);

// Appends one event; on any failure logs at debug level and carries on.
void record_event(const StorePaths& paths, Event event);

// Appends `line` (with its newline) to the log at `path`, first rotating
// the log to path.1 when it has reached max_size.
Status append_event_line(const std::string& path, std::string_view line, uint64_t max_size);

// A container event with its name, image and labels. The exit code is for
// died and exec_died.
Event container_event(const ContainerRecord& container, std::string_view status);
void record_container_event(const StorePaths& paths, const ContainerRecord& container,
                            std::string_view status,
                            std::optional<int64_t> exit_code = std::nullopt);
void record_image_event(const StorePaths& paths, std::string_view status, const std::string& id,
                        const std::string& name);

// --filter KEY=VALUE for `burrow events`: container=, image=, event= (or
// status=), type=, label=. The same key given twice matches either value;
// different keys must all match, as in Podman.
class EventFilter {
 public:
  static Result<EventFilter> parse(const std::vector<std::string>& filters);
  bool matches(const Event& event) const;

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

struct EventReadOptions {
  std::optional<int64_t> since_ns, until_ns;
  bool follow = false;
  // Follow only events written from now on (streaming without --since).
  bool only_new = false;
  // Asked about once a second while following; true ends the reading.
  std::function<bool()> stop;
};

// Calls `each` for every matching event in time order: the rotated file,
// then the current one, then (with follow) new events as they are written.
// `each` returns false to stop. A missing log is an empty one.
Status read_events(const StorePaths& paths, const EventReadOptions& options,
                   const EventFilter& filter, const std::function<bool(const Event&)>& each);

}  // namespace burrow::engine

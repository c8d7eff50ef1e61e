// Runs in the CLI and in the exit and healthcheck commands the monitor runs.
#include "engine/events.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/file_util.h"
#include "base/lock.h"
#include "base/log.h"
#include "base/unique_fd.h"
#include "engine/container_config.h"
#include "image/timestamps.h"

namespace burrow::engine {
namespace {

using nlohmann::ordered_json;

std::string events_dir(const StorePaths& paths) {
  return base::path_join(paths.run_root, "events");
}

Result<base::UniqueFd> open_log(const std::string& path) {
  base::UniqueFd fd(
      ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600));
  if (!fd) return base::fail_errno("opening the event log {}", path);
  return fd;
}

// Under a lock, so that two commands finding the log full rotate it once:
// the second sees that the file at `path` is no longer the full one.
Status rotate_log(const std::string& path, const struct stat& full) {
  BURROW_TRY(auto lock, base::FileLock::acquire(path + ".lock"));
  struct stat current {};
  if (::stat(path.c_str(), &current) != 0 || current.st_ino != full.st_ino) return base::ok();
  if (::rename(path.c_str(), (path + ".1").c_str()) != 0)
    return base::fail_errno("rotating the event log {}", path);
  return base::ok();
}

std::map<std::string, std::string> labels_of(const ContainerRecord& container) {
  std::map<std::string, std::string> labels;
  auto stored = stored_config(container);
  if (!stored) return labels;
  for (const auto& label : stored->options.labels) {
    auto eq = label.find('=');
    labels[label.substr(0, eq)] = eq == std::string::npos ? "" : label.substr(eq + 1);
  }
  return labels;
}

}  // namespace

std::string events_log_path(const StorePaths& paths) {
  return base::path_join(events_dir(paths), "events.log");
}

std::string event_to_json(const Event& e) {
  ordered_json j = ordered_json::object();
  if (e.exit_code) j["ContainerExitCode"] = *e.exit_code;
  if (!e.id.empty()) j["ID"] = e.id;
  if (!e.image.empty()) j["Image"] = e.image;
  if (!e.name.empty()) j["Name"] = e.name;
  j["Status"] = e.status;
  int64_t ns = e.time_ns;
  j["Time"] = image::format_rfc3339({ns / 1000000000, static_cast<int32_t>(ns % 1000000000)});
  j["Type"] = e.type;
  if (!e.health_status.empty()) j["health_status"] = e.health_status;
  j["Attributes"] = e.attributes;
  return j.dump();
}

Result<Event> event_from_json(std::string_view line) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return base::fail(EINVAL, "not a JSON object");
  Event e;
  try {
    e.type = j.value("Type", "");
    e.status = j.value("Status", "");
    e.id = j.value("ID", "");
    e.name = j.value("Name", "");
    e.image = j.value("Image", "");
    e.health_status = j.value("health_status", "");
    if (auto it = j.find("ContainerExitCode"); it != j.end() && it->is_number_integer())
      e.exit_code = it->get<int64_t>();
    if (auto it = j.find("Attributes"); it != j.end() && it->is_object())
      for (const auto& [key, value] : it->items())
        if (value.is_string()) e.attributes[key] = value.get<std::string>();
    BURROW_TRY(auto time, image::parse_rfc3339(j.value("Time", "")));
    e.time_ns = time.seconds * 1000000000 + time.nanos;
  } catch (const nlohmann::json::exception& error) {
    return base::failf(EINVAL, "bad event: {}", error.what());
  }
  if (e.type.empty() || e.status.empty()) return base::fail(EINVAL, "event without type or status");
  return e;
}

Status append_event_line(const std::string& path, std::string_view line, uint64_t max_size) {
  BURROW_TRY(auto fd, open_log(path));
  struct stat info {};
  if (::fstat(fd.get(), &info) == 0 && static_cast<uint64_t>(info.st_size) >= max_size) {
    BURROW_CHECK(rotate_log(path, info));
    BURROW_TRY(fd, open_log(path));
  }
  std::string record(line);
  record += '\n';
  // One write: O_APPEND places it whole at the end, after any other's.
  ssize_t written = ::write(fd.get(), record.data(), record.size());
  if (written < 0) return base::fail_errno("writing to the event log {}", path);
  if (static_cast<size_t>(written) != record.size())
    return base::failf(EIO, "short write to the event log {}", path);
  return base::ok();
}

void record_event(const StorePaths& paths, Event event) {
  if (event.time_ns == 0) event.time_ns = base::unix_now_ns();
  std::string path = events_log_path(paths);
  Status done = append_event_line(path, event_to_json(event), kEventLogMaxSize);
  if (!done && done.error().code == ENOENT) {
    if (base::make_dirs(events_dir(paths), 0700))
      done = append_event_line(path, event_to_json(event), kEventLogMaxSize);
  }
  if (!done)
    base::debug("recording the {} {} event: {}", event.type, event.status, done.error().message);
}

Event container_event(const ContainerRecord& container, std::string_view status) {
  Event event;
  event.type = "container";
  event.status = std::string(status);
  event.id = container.id;
  event.name = container.name;
  event.image = container.image_name;
  event.attributes = labels_of(container);
  return event;
}

void record_container_event(const StorePaths& paths, const ContainerRecord& container,
                            std::string_view status, std::optional<int64_t> exit_code) {
  Event event = container_event(container, status);
  event.exit_code = exit_code;
  record_event(paths, std::move(event));
}

void record_image_event(const StorePaths& paths, std::string_view status, const std::string& id,
                        const std::string& name) {
  Event event;
  event.type = "image";
  event.status = std::string(status);
  event.id = id;
  event.name = name;
  record_event(paths, std::move(event));
}

}  // namespace burrow::engine

// `burrow healthcheck run`: runs in the CLI, or in the command the monitor
// starts every interval (inside the keeper's namespaces when rootless).
// The check is an exec in the container with its output captured; the
// container's lock is not held meanwhile, so a slow check never delays
// stop or rm. Results are merged into the health file under a lock of
// their own.
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "base/clock.h"
#include "base/file_util.h"
#include "base/lock.h"
#include "base/strings.h"
#include "engine/container_config.h"
#include "engine/container_exec.h"
#include "engine/container_lifecycle.h"
#include "engine/container_state.h"
#include "engine/events.h"
#include "engine/healthcheck.h"
#include "image/timestamps.h"

namespace burrow::engine {
namespace {

int64_t monotonic_ms() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

std::string time_text(int64_t ns) {
  return image::format_rfc3339({ns / 1000000000, static_cast<int32_t>(ns % 1000000000)});
}

struct CheckOutcome {
  int exit_code = 0;
  std::string output;
};

// Reads the check's output until it exits or the timeout passes; keeps the
// first kHealthOutputLimit bytes.
struct OutputReader {
  int fd;
  std::string output;
  bool open = true;

  void read_available() {
    char buffer[4096];
    for (;;) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) open = false;
      if (n <= 0) return;
      size_t room = kHealthOutputLimit - std::min(kHealthOutputLimit, output.size());
      output.append(buffer, std::min(room, static_cast<size_t>(n)));
    }
  }
};

// True when the process exited within timeout_ns.
bool wait_with_output(runtime::ExecProcess& process, OutputReader& reader, int64_t timeout_ns) {
  int64_t deadline = monotonic_ms() + timeout_ns / 1000000;
  for (;;) {
    int64_t left = deadline - monotonic_ms();
    if (left <= 0) return false;
    pollfd fds[2] = {{process.pidfd(), POLLIN, 0}, {reader.open ? reader.fd : -1, POLLIN, 0}};
    int ready = ::poll(fds, 2, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (ready < 0 && errno != EINTR) return false;
    if (fds[1].revents) reader.read_available();
    if (fds[0].revents & POLLIN) {
      reader.read_available();  // what it wrote before exiting
      return true;
    }
  }
}

CheckOutcome execute_check(Engine& engine, const ContainerRecord& record,
                           const HealthConfig& config) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {1, "creating a pipe for the healthcheck failed"};
  base::UniqueFd read_end(fds[0]), write_end(fds[1]);
  ::fcntl(read_end.get(), F_SETFL, O_NONBLOCK);
  ExecRequest request;
  request.container = record.id;
  request.command = health_command_argv(config.test);
  request.stdout_fd = request.stderr_fd = write_end.get();
  request.record_events = false;
  auto process = start_exec(engine, request);
  write_end.reset();
  if (!process) return {1, process.error().message};
  OutputReader reader{read_end.get(), {}};
  if (!wait_with_output(*process, reader, config.timeout_ns)) {
    // Dropping the process kills and reaps it.
    return {1, fmt::format("healthcheck command exceeded timeout of {}s",
                           config.timeout_ns / kSecondNs)};
  }
  auto code = runtime::wait_exec(*process);
  std::string output = reader.output;
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  // As Podman records it: 0 passed, 1 failed.
  return {code && *code == 0 ? 0 : 1, output};
}

Result<HealthState> record_result(const StorePaths& paths, const ContainerRecord& record,
                                  const HealthConfig& config, HealthLogEntry entry) {
  std::string userdata = base::path_join(paths.container_dir(record.id), "userdata");
  BURROW_CHECK(base::make_dirs(userdata, 0700));
  BURROW_TRY(auto lock, base::FileLock::acquire(base::path_join(userdata, "healthcheck.lock")));
  HealthState state = read_health_state(paths, record.id).value_or(HealthState{});
  int64_t started_ns = record.started_ns.value_or(0);
  bool in_start_period = base::unix_now_ns() < started_ns + config.start_period_ns;
  apply_health_result(state, config, std::move(entry), in_start_period);
  BURROW_CHECK(base::write_file_atomic(health_file_path(paths, record.id),
                                       health_state_json(state).dump(), 0600, false));
  return state;
}

}  // namespace

Result<HealthRun> run_healthcheck(Engine& engine, const std::string& reference) {
  auto found = refresh_container(engine, reference);
  if (!found)
    return tl::unexpected(found.error().with_context(
        fmt::format("unable to look up {} to perform a health check", reference)));
  const ContainerRecord& record = *found;
  if (!is_active(record.state) || !init_alive(record))
    return base::failf(EINVAL, "container {} is not running", record.id);
  BURROW_TRY(auto stored, stored_config(record));
  if (!stored.options.healthcheck)
    return base::failf(EINVAL, "container {} has no defined healthcheck", record.id);
  const HealthConfig& config = *stored.options.healthcheck;
  HealthLogEntry entry;
  int64_t start = base::unix_now_ns();
  CheckOutcome outcome = execute_check(engine, record, config);
  entry.start = time_text(start);
  entry.end = time_text(base::unix_now_ns());
  entry.exit_code = outcome.exit_code;
  entry.output = std::move(outcome.output);
  HealthRun run;
  run.passed = entry.exit_code == 0;
  BURROW_TRY(run.state, record_result(engine.paths(), record, config, std::move(entry)));
  Event event = container_event(record, "health_status");
  event.health_status = run.state.status;
  record_event(engine.paths(), std::move(event));
  return run;
}

}  // namespace burrow::engine

// Runs in the CLI (`burrow wait`), inside the keeper's namespaces when
// rootless: a waiter that sees the init gone finishes the container itself,
// as the monitor's exit command would.
#include "engine/container_wait.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <optional>
#include <thread>
#include <utility>

#include "base/clock.h"
#include "engine/container_config.h"
#include "engine/container_lifecycle.h"
#include "engine/container_remove.h"
#include "engine/container_state.h"
#include "engine/events.h"
#include "engine/healthcheck.h"
#include "engine/healthcheck_config.h"

namespace burrow::engine {
namespace {

constexpr std::array<std::pair<std::string_view, WaitCondition>, 11> kConditionNames = {{
    {"configured", WaitCondition::kConfigured},
    {"created", WaitCondition::kCreated},
    {"exited", WaitCondition::kExited},
    {"healthy", WaitCondition::kHealthy},
    {"initialized", WaitCondition::kInitialized},
    {"paused", WaitCondition::kPaused},
    {"removing", WaitCondition::kRemoving},
    {"running", WaitCondition::kRunning},
    {"stopped", WaitCondition::kStopped},
    {"stopping", WaitCondition::kStopping},
    {"unhealthy", WaitCondition::kUnhealthy},
}};

bool wants(const WaitRequest& request, std::initializer_list<WaitCondition> any_of) {
  return std::any_of(request.conditions.begin(), request.conditions.end(), [&](WaitCondition c) {
    return std::find(any_of.begin(), any_of.end(), c) != any_of.end();
  });
}

// The exit code of the container's first "died" event since `since_ns`:
// how it ended when, before this waiter looked, the exit command of its
// monitor had already restarted it (--restart) or removed it (--rm).
std::optional<int64_t> died_since(const StorePaths& paths, const std::string& id,
                                  int64_t since_ns) {
  auto filter = EventFilter::parse({"container=" + id, "event=died"});
  if (!filter) return std::nullopt;
  EventReadOptions options;
  options.since_ns = since_ns;
  std::optional<int64_t> code;
  auto read = read_events(paths, options, *filter, [&](const Event& event) {
    code = event.exit_code.value_or(-1);
    return false;
  });
  if (!read) return std::nullopt;
  return code;
}

// What one waiter knows of its container between looks.
class ContainerWatch {
 public:
  ContainerWatch(Engine& engine, ContainerRecord record, const WaitRequest& request,
                 int64_t since_ns)
      : engine_(engine),
        request_(request),
        since_ns_(since_ns),
        id_(record.id),
        name_(record.name),
        last_(std::move(record)) {}

  // The result once a condition is met; nullopt to look again later.
  Result<std::optional<int64_t>> look() {
    ContainerStore store(engine_.db());
    BURROW_TRY(auto current, store.get(id_));
    if (!current) return gone();
    if (is_active(current->state) && !init_alive(*current)) {
      // Records the exit (and runs --rm or --restart) before it is judged.
      BURROW_CHECK(finish_container(engine_, id_));
      BURROW_TRY(current, store.get(id_));
      if (!current) return gone();
    }
    if (wants(request_, {WaitCondition::kStopped, WaitCondition::kExited})) {
      if (current->state == "exited") return current->exit_code.value_or(-1);
      if (restarted_since_last_look(*current))
        return died_since(engine_.paths(), id_, since_ns_).value_or(-1);
    }
    last_ = *current;
    for (WaitCondition condition : request_.conditions)
      if (state_meets_condition(current->state, condition)) return int64_t{-1};
    BURROW_TRY(bool health_met, health_meets_condition(*current));
    if (health_met) return int64_t{-1};
    return std::nullopt;
  }

  // Sleeps until the next look: one interval, or less when a running
  // container's init exits, which an exit condition waits for.
  void pause() const {
    bool exit_wanted = wants(request_, {WaitCondition::kStopped, WaitCondition::kExited});
    if (exit_wanted && is_active(last_.state) && init_alive(last_)) {
      wait_init_exit(last_, static_cast<int>(request_.interval.count()));
    } else {
      std::this_thread::sleep_for(request_.interval);
    }
  }

 private:
  // Removed since the wait began: for an exit condition, it ended first
  // (run --rm); "removing" is met; otherwise there is nothing to wait for.
  Result<std::optional<int64_t>> gone() const {
    if (wants(request_, {WaitCondition::kRemoving})) return int64_t{-1};
    if (wants(request_, {WaitCondition::kStopped, WaitCondition::kExited})) {
      if (auto code = died_since(engine_.paths(), id_, since_ns_)) return *code;
    }
    return base::failf(ENOENT, "no container with name or ID \"{}\" found: no such container",
                       name_);
  }

  // A container that ran at the last look and was started anew since has
  // exited in between.
  bool restarted_since_last_look(const ContainerRecord& current) const {
    return is_active(last_.state) &&
           (current.started_ns != last_.started_ns || current.restarts != last_.restarts);
  }

  Result<bool> health_meets_condition(const ContainerRecord& current) {
    bool healthy = wants(request_, {WaitCondition::kHealthy});
    bool unhealthy = wants(request_, {WaitCondition::kUnhealthy});
    if (!healthy && !unhealthy) return false;
    if (!health_config_) {
      BURROW_TRY(auto stored, stored_config(current));
      health_config_.emplace(stored.options.healthcheck);
      if (!*health_config_) {
        return base::failf(EINVAL,
                           "cannot use condition {}: container {} has no healthcheck (create it "
                           "with --health-cmd)",
                           healthy ? "healthy" : "unhealthy", name_);
      }
    }
    if (current.state != "running") return false;
    auto health = observed_health(engine_.paths(), id_, *health_config_);
    if (!health) return false;
    return (healthy && health->status == "healthy") || (unhealthy && health->status == "unhealthy");
  }

  Engine& engine_;
  const WaitRequest& request_;
  int64_t since_ns_;
  std::string id_;
  std::string name_;
  ContainerRecord last_;
  std::optional<std::optional<HealthConfig>> health_config_;  // read at the first need
};

}  // namespace

Result<WaitCondition> parse_wait_condition(std::string_view name) {
  for (const auto& [known, condition] : kConditionNames)
    if (name == known) return condition;
  std::string names;
  for (const auto& entry : kConditionNames) {
    if (!names.empty()) names += ", ";
    names += entry.first;
  }
  return base::failf(EINVAL, "invalid --condition \"{}\": use one of {}", name, names);
}

bool state_meets_condition(std::string_view state, WaitCondition condition) {
  switch (condition) {
    case WaitCondition::kConfigured:
    case WaitCondition::kCreated:
      return state == "created";
    case WaitCondition::kInitialized:
      return is_active(std::string(state));
    case WaitCondition::kRunning:
      return state == "running";
    case WaitCondition::kPaused:
      return state == "paused";
    case WaitCondition::kStopping:
      return state == "stopping";
    case WaitCondition::kStopped:
    case WaitCondition::kExited:
    case WaitCondition::kRemoving:
    case WaitCondition::kHealthy:
    case WaitCondition::kUnhealthy:
      return false;
  }
  return false;
}

Result<std::chrono::milliseconds> parse_wait_interval(std::string_view text) {
  int64_t nanos = 0;
  bool bare_number = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  if (bare_number && text.size() <= 12) {
    nanos = std::stoll(std::string(text)) * 1'000'000;
  } else if (!bare_number) {
    BURROW_TRY(nanos, parse_health_duration(text, "--interval"));
  }
  if (nanos < 1'000'000)
    return base::failf(EINVAL, "invalid --interval \"{}\": it must be at least 1ms", text);
  return std::chrono::milliseconds(nanos / 1'000'000);
}

Result<int64_t> wait_for_condition(Engine& engine, const std::string& reference,
                                   const WaitRequest& request) {
  WaitRequest effective = request;
  if (effective.conditions.empty()) effective.conditions.push_back(WaitCondition::kStopped);
  // Taken before the first look, so that an exit between that look and
  // the next is found among the events.
  int64_t since = base::unix_now_ns();
  ContainerStore store(engine.db());
  BURROW_TRY(auto record, store.find(reference));
  ContainerWatch watch(engine, std::move(record), effective, since);
  for (;;) {
    BURROW_TRY(auto result, watch.look());
    if (result) return *result;
    watch.pause();
  }
}

}  // namespace burrow::engine

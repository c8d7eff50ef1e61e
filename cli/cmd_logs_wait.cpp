// wait and logs: what a container did, and when it is done.
#include <iostream>

#include "cli/commands.h"
#include "engine/container_config.h"
#include "engine/container_logs.h"
#include "engine/container_state.h"
#include "engine/container_wait.h"

namespace burrow::cli {
namespace {

using engine::Access;

// ---- wait -----------------------------------------------------------------

struct WaitFlags {
  std::vector<std::string> names;
  std::vector<std::string> conditions;
  std::string interval;
  bool ignore = false;
};

Result<int> wait(Context& ctx, const WaitFlags& flags) {
  engine::WaitRequest request;
  for (const auto& condition : flags.conditions) {
    BURROW_TRY(auto parsed, engine::parse_wait_condition(condition));
    request.conditions.push_back(parsed);
  }
  if (!flags.interval.empty()) {
    BURROW_TRY(request.interval, engine::parse_wait_interval(flags.interval));
  }
  if (flags.names.empty()) return base::fail(EINVAL, "wait requires at least one container");
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  return for_each_reference(flags.names, [&](const std::string& name) -> Status {
    auto code = engine::wait_for_condition(*engine, name, request);
    if (!code && flags.ignore && code.error().code == ENOENT) code = -1;
    BURROW_CHECK(code);
    std::cout << *code << std::endl;
    return base::ok();
  });
}

}  // namespace

void add_wait(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<WaitFlags>();
  if (!ctx.wanted(app, "wait")) return;
  auto* cmd = app.add_subcommand("wait", "Wait for containers to exit and print their exit codes");
  cmd->add_option("--condition", flags->conditions,
                  "State to wait for, any of those given: stopped (default) or exited (print the "
                  "exit code), configured, created, initialized, running, paused, stopping, "
                  "removing, healthy, unhealthy (print -1)");
  cmd->add_option("-i,--interval", flags->interval,
                  "Time between looks at the state: a duration or milliseconds (default 250ms)");
  cmd->add_flag("--ignore", flags->ignore,
                "Print -1 for a container that does not exist instead of an error");
  cmd->add_option("CONTAINER", flags->names, "Containers");
  one_value_per_use(*cmd);
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return wait(ctx, *flags); }); });
}

namespace {

// ---- logs -----------------------------------------------------------------

struct LogsFlags {
  std::string name;
  bool follow = false, timestamps = false;
  std::string since, until;
  std::optional<int> tail;
};

Result<int> logs(Context& ctx, const LogsFlags& flags) {
  BURROW_TRY(auto engine, ctx.open_engine(Access::kReadOnly));
  engine::ContainerStore store(engine->db());
  BURROW_TRY(auto record, store.find(flags.name));
  BURROW_TRY(auto stored, engine::stored_config(record));
  auto format = engine::log_format_of_driver(stored.options.log_driver);
  if (!format) {
    return base::failf(EINVAL,
                       "this container is using the 'none' log driver, cannot read logs: container "
                       "{} was created with --log-driver none and is not logging output",
                       record.name);
  }
  engine::LogsOptions options;
  options.format = *format;
  options.timestamps = flags.timestamps;
  options.follow = flags.follow;
  int64_t now_ns = static_cast<int64_t>(::time(nullptr)) * 1000000000;
  if (!flags.since.empty()) {
    BURROW_TRY(options.since_ns, engine::parse_log_time(flags.since, now_ns));
  }
  if (!flags.until.empty()) {
    BURROW_TRY(options.until_ns, engine::parse_log_time(flags.until, now_ns));
  }
  if (flags.tail && *flags.tail >= 0) options.tail = static_cast<size_t>(*flags.tail);
  const auto& paths = engine->paths();
  auto running = [&] { return engine::log_still_written(paths, record); };
  auto printed = engine::print_logs(engine::log_file_path(paths, record.id), options, STDOUT_FILENO,
                                    STDERR_FILENO, running);
  // A container that never started has no log file yet: nothing to show.
  if (!printed && printed.error().code == ENOENT) return 0;
  BURROW_CHECK(printed);
  return 0;
}

}  // namespace

void add_logs(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<LogsFlags>();
  if (!ctx.wanted(app, "logs")) return;
  auto* cmd = app.add_subcommand("logs", "Print a container's logs");
  cmd->add_flag("-f,--follow", flags->follow, "Keep printing new output until it exits");
  cmd->add_flag("-t,--timestamps", flags->timestamps, "Prefix each line with its time");
  cmd->add_option("--since", flags->since, "Only output after this time or duration ago");
  cmd->add_option("--until", flags->until, "Only output before this time or duration ago");
  cmd->add_option("-n,--tail", flags->tail, "Only the last N lines (-1: all)");
  cmd->add_option("CONTAINER", flags->name, "The container")->required();
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return logs(ctx, *flags); }); });
}

}  // namespace burrow::cli

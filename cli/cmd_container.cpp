// Container commands: start, stop, kill, rm, ps, wait, logs, rename,
// restart, exec, container cleanup (the monitor's exit command), and the
// container half of inspect. attach is in cmd_attach.cpp.
#include <unistd.h>

#include <iostream>
#include <map>

#include "base/log.h"
#include "cli/commands.h"
#include "cli/container_json.h"
#include "cli/format.h"
#include "cli/tty_session.h"
#include "engine/container_config.h"
#include "engine/container_exec.h"
#include "engine/container_lifecycle.h"
#include "engine/container_logs.h"
#include "engine/container_options.h"
#include "engine/container_remove.h"
#include "engine/container_state.h"
#include "engine/container_wait.h"
#include "engine/events.h"
#include "engine/signal_names.h"

namespace burrow::cli {
namespace {

using engine::Access;

// Runs `each` for every reference; errors are reported as they come and the
// last one's exit code is returned, as Podman does for multi-name commands.
template <typename F>
int for_each_reference(const std::vector<std::string>& references, F&& each) {
  int exit_code = 0;
  for (const auto& reference : references) {
    Status done = each(reference);
    if (!done) exit_code = report_error(done.error());
  }
  return exit_code;
}

Result<std::vector<std::string>> all_container_ids(engine::Engine& engine) {
  engine::ContainerStore store(engine.db());
  BURROW_TRY(auto records, store.list());
  std::vector<std::string> ids;
  for (const auto& record : records) ids.push_back(record.id);
  return ids;
}

// ---- start ----------------------------------------------------------------

struct StartFlags {
  std::vector<std::string> names;
  bool attach = false;
  AttachFlags session;
};

// `start -a`: a container with a tty gets a terminal session, as `run -t`;
// one without has its stdio passed to the monitor as `run` does.
Result<int> start_attached(engine::Engine& engine, const std::string& name,
                           const AttachFlags& session) {
  engine::ContainerStore store(engine.db());
  BURROW_TRY(auto record, store.find(name));
  BURROW_TRY(auto stored, engine::stored_config(record));
  if (stored.options.tty) {
    BURROW_TRY(TtyStart start, prepare_tty_start());
    BURROW_TRY(auto started, engine::start_container(engine, record.id, start.io));
    return attach_tty_foreground(engine, started, start, session);
  }
  engine::StartIo io{
      true, session.interactive ? STDIN_FILENO : -1, STDOUT_FILENO, STDERR_FILENO, {}};
  BURROW_TRY(auto started, engine::start_container(engine, record.id, io));
  return engine::wait_foreground(engine, started);
}

Result<int> start(Context& ctx, const StartFlags& flags) {
  const auto& names = flags.names;
  if (names.empty()) return base::fail(EINVAL, "start requires at least one container");
  if (flags.attach && names.size() > 1)
    return base::fail(EINVAL, "start --attach takes exactly one container");
  BURROW_CHECK(detach_sequence(flags.session));
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  if (flags.attach) return start_attached(*engine, names.front(), flags.session);
  return for_each_reference(names, [&](const std::string& name) -> Status {
    engine::ContainerStore store(engine->db());
    BURROW_TRY(auto record, store.find(name));
    if (engine::is_active(record.state) && engine::init_alive(record)) {
      std::cout << name << std::endl;  // already running: not an error for Podman
      return base::ok();
    }
    BURROW_TRY(auto started, engine::start_container(*engine, record.id, engine::StartIo{}));
    std::cout << name << std::endl;
    return base::ok();
  });
}

void add_start(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<StartFlags>();
  auto* cmd = app.add_subcommand("start", "Start one or more containers");
  cmd->add_flag("-a,--attach", flags->attach, "Attach the container's output and wait for it");
  cmd->add_flag("-i,--interactive", flags->session.interactive, "Attach the container's stdin");
  cmd->add_option("--detach-keys", flags->session.detach_keys,
                  "Keys that detach from the container (default ctrl-p,ctrl-q; \"\" disables)");
  cmd->add_option("--sig-proxy", flags->session.sig_proxy,
                  "With --attach, pass received signals on to the container (default true)");
  cmd->add_option("CONTAINER", flags->names, "Containers to start");
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return start(ctx, *flags); }); });
}

// ---- stop, kill, restart ---------------------------------------------------

struct StopFlags {
  std::vector<std::string> names;
  bool all = false, ignore = false;
  std::optional<int> timeout;
  std::string signal;
};

Result<int> stop(Context& ctx, const StopFlags& flags, bool restart) {
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  std::vector<std::string> names = flags.names;
  if (flags.all) {
    BURROW_TRY(names, all_container_ids(*engine));
  } else if (names.empty()) {
    return base::failf(EINVAL, "{} requires at least one container (or --all)",
                       restart ? "restart" : "stop");
  }
  std::optional<int> signal;
  if (!flags.signal.empty()) {
    BURROW_TRY(int parsed, engine::parse_signal(flags.signal));
    signal = parsed;
  }
  return for_each_reference(names, [&](const std::string& name) -> Status {
    auto stopped = engine::stop_container(*engine, name, flags.timeout, signal);
    if (!stopped && flags.ignore && stopped.error().code == ENOENT) return base::ok();
    BURROW_CHECK(stopped);
    if (restart) {
      engine::ContainerStore store(engine->db());
      BURROW_TRY(auto record, store.find(name));
      BURROW_TRY(auto started, engine::start_container(*engine, record.id, engine::StartIo{}));
      engine::record_container_event(engine->paths(), started.record, "restart");
    }
    std::cout << name << std::endl;
    return base::ok();
  });
}

void add_stop(CLI::App& app, Context& ctx, bool restart) {
  auto flags = std::make_shared<StopFlags>();
  auto* cmd = app.add_subcommand(
      restart ? "restart" : "stop",
      restart ? "Restart one or more containers" : "Stop one or more running containers");
  cmd->add_flag("-a,--all", flags->all, "All containers");
  cmd->add_option("-t,--time,--timeout", flags->timeout,
                  "Seconds to wait for the stop signal before SIGKILL");
  if (!restart) {
    cmd->add_flag("-i,--ignore", flags->ignore, "Ignore containers that do not exist");
    cmd->add_option("-s,--signal,--stop-signal", flags->signal, "Signal to stop with");
  }
  cmd->add_option("CONTAINER", flags->names, "Containers");
  cmd->callback(
      [&ctx, flags, restart] { run_command(ctx, [&] { return stop(ctx, *flags, restart); }); });
}

Result<int> kill(Context& ctx, const std::vector<std::string>& names, const std::string& signal,
                 bool all) {
  BURROW_TRY(int sig, engine::parse_signal(signal));
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  std::vector<std::string> targets = names;
  if (all) {
    engine::ContainerStore store(engine->db());
    BURROW_TRY(auto records, store.list());
    targets.clear();
    for (const auto& r : records)
      if (engine::is_active(r.state) && engine::init_alive(r)) targets.push_back(r.id);
  } else if (targets.empty()) {
    return base::fail(EINVAL, "kill requires at least one container (or --all)");
  }
  return for_each_reference(targets, [&](const std::string& name) -> Status {
    BURROW_CHECK(engine::kill_container(*engine, name, sig));
    std::cout << name << std::endl;
    return base::ok();
  });
}

void add_kill(CLI::App& app, Context& ctx) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto signal = std::make_shared<std::string>("KILL");
  auto all = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("kill", "Kill one or more running containers with a signal");
  cmd->add_option("-s,--signal", *signal, "Signal to send (default KILL)");
  cmd->add_flag("-a,--all", *all, "All running containers");
  cmd->add_option("CONTAINER", *names, "Containers");
  cmd->callback([&ctx, names, signal, all] {
    run_command(ctx, [&] { return kill(ctx, *names, *signal, *all); });
  });
}

// ---- rm -------------------------------------------------------------------

struct RmFlags {
  std::vector<std::string> names;
  bool all = false, force = false, ignore = false, volumes = false;
};

// Podman's rm exit codes: 1 when a container did not exist, 2 when one was
// running (without -f), 125 for anything else.
int rm_exit_code(const Error& error) {
  if (error.code == ENOENT) return 1;
  if (error.exit_status == 2) return 2;
  return kExitEngineError;
}

Result<int> rm(Context& ctx, const RmFlags& flags) {
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  std::vector<std::string> names = flags.names;
  if (flags.all) {
    BURROW_TRY(names, all_container_ids(*engine));
  } else if (names.empty()) {
    return base::fail(EINVAL, "rm requires at least one container (or --all)");
  }
  int exit_code = 0;
  for (const auto& name : names) {
    auto removed = engine::remove_container(*engine, name, flags.force);
    if (removed) {
      std::cout << (flags.all ? *removed : name) << std::endl;
      continue;
    }
    if (flags.ignore && removed.error().code == ENOENT) continue;
    report_error(removed.error());
    exit_code = rm_exit_code(removed.error());
  }
  return exit_code;
}

void add_rm(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<RmFlags>();
  auto* cmd = app.add_subcommand("rm", "Remove one or more containers");
  cmd->add_flag("-a,--all", flags->all, "Remove all containers");
  cmd->add_flag("-f,--force", flags->force, "Kill running containers first");
  cmd->add_flag("-i,--ignore", flags->ignore, "Ignore containers that do not exist");
  cmd->add_flag("-v,--volumes", flags->volumes,
                "Also remove the container's anonymous volumes (burrow has no volumes yet, so "
                "there is nothing more to remove)");
  cmd->add_option("CONTAINER", flags->names, "Containers to remove");
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return rm(ctx, *flags); }); });
}

// ---- ps -------------------------------------------------------------------

struct PsFlags {
  bool all = false, quiet = false, no_trunc = false, latest = false, noheading = false;
  std::vector<std::string> filters;
  std::string format;
  std::optional<int> last;
};

// Whether one KEY=VALUE filter matches the container.
Result<bool> matches_filter(const engine::ContainerRecord& c, const engine::StoredConfig& stored,
                            const std::optional<engine::HealthState>& health,
                            const std::string& key, const std::string& value) {
  if (key == "name") return c.name.find(value) != std::string::npos;
  if (key == "id") return c.id.rfind(value, 0) == 0;
  if (key == "status") return c.state == value || (value == "stopped" && c.state == "exited");
  if (key == "ancestor")
    return c.image_name == value || c.image_id.rfind(value, 0) == 0 ||
           c.image_name.rfind(value + ":", 0) == 0 || c.image_name == "localhost/" + value ||
           c.image_name.rfind("localhost/" + value + ":", 0) == 0;
  if (key == "label") {
    for (const auto& label : stored.options.labels)
      if (label == value || label.rfind(value + "=", 0) == 0) return true;
    return false;
  }
  if (key == "exited")
    return c.state == "exited" && std::to_string(c.exit_code.value_or(0)) == value;
  if (key == "health") return health ? health->status == value : value == "none";
  return base::failf(EINVAL,
                     "invalid filter \"{}={}\": use name, id, status, ancestor, label, exited "
                     "or health",
                     key, value);
}

// As in Podman: filters with the same key match if any of their values
// does, except label, whose values must all match; different keys must all
// match.
Result<bool> matches_filters(const engine::ContainerRecord& c, const engine::StoredConfig& stored,
                             const std::vector<std::string>& filters,
                             const std::optional<engine::HealthState>& health) {
  std::map<std::string, bool> any_matched;  // per key, except label
  for (const auto& filter : filters) {
    auto eq = filter.find('=');
    if (eq == std::string::npos)
      return base::failf(EINVAL, "invalid filter \"{}\": use KEY=VALUE", filter);
    std::string key = filter.substr(0, eq);
    BURROW_TRY(bool match, matches_filter(c, stored, health, key, filter.substr(eq + 1)));
    if (key == "label" && !match) return false;
    if (key != "label") any_matched[key] = any_matched[key] || match;
  }
  for (const auto& [key, matched] : any_matched)
    if (!matched) return false;
  return true;
}

Result<int> ps(Context& ctx, const PsFlags& flags) {
  BURROW_TRY(auto engine, ctx.open_engine(Access::kReadOnly));
  engine::ContainerStore store(engine->db());
  BURROW_TRY(auto records, store.list());
  std::vector<nlohmann::json> rows;
  int limit = flags.latest ? 1 : flags.last.value_or(-1);
  for (auto record : records) {
    record = engine::observed(engine->paths(), std::move(record));
    bool running = engine::is_active(record.state);
    bool listed = flags.all || running || !flags.filters.empty() || limit >= 0;
    if (!listed) continue;
    // A row an older burrow wrote still lists, with what the row itself has.
    engine::StoredConfig stored = engine::stored_config(record).value_or(engine::StoredConfig{});
    auto health = running_health(engine->paths(), record, stored);
    BURROW_TRY(bool match, matches_filters(record, stored, flags.filters, health));
    if (!match) continue;
    if (limit >= 0 && static_cast<int>(rows.size()) >= limit) break;
    rows.push_back(container_row(record, stored, flags.no_trunc, health));
  }
  if (flags.quiet) {
    for (const auto& row : rows) std::cout << row["ID"].get<std::string>() << "\n";
    return 0;
  }
  std::string format = flags.format;
  if (format == "json") {
    std::cout << nlohmann::json(rows).dump(4) << "\n";
    return 0;
  }
  if (format.empty())
    format =
        "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}"
        "\t{{.Names}}";
  BURROW_TRY(Template tmpl, Template::parse(format, {{"ID", "CONTAINER ID"},
                                                     {"CreatedHuman", "CREATED"},
                                                     {"RunningFor", "CREATED"}}));
  if (flags.noheading && tmpl.is_table()) {
    BURROW_TRY(tmpl, Template::parse(format.substr(format.find(' ') + 1)));
  }
  BURROW_TRY(std::string out, render_rows(tmpl, rows));
  std::cout << out;
  return 0;
}

void add_ps(CLI::App& app, Context& ctx, const std::string& name) {
  auto flags = std::make_shared<PsFlags>();
  auto* cmd = app.add_subcommand(name, "List containers");
  cmd->add_flag("-a,--all", flags->all, "Show all containers, not only running ones");
  cmd->add_flag("-q,--quiet", flags->quiet, "Print only the container IDs");
  cmd->add_flag("--no-trunc", flags->no_trunc, "Do not truncate IDs");
  cmd->add_flag("-l,--latest", flags->latest, "Only the most recently created container");
  cmd->add_option("-n,--last", flags->last, "Only the N most recently created containers");
  cmd->add_flag("--noheading", flags->noheading, "Do not print column headings");
  cmd->add_option("-f,--filter", flags->filters,
                  "Filter: name=, id=, status=, ancestor=, label=, exited=, health=");
  cmd->add_option("--format", flags->format, "Go template, 'table ...', '{{json .}}' or json");
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return ps(ctx, *flags); }); });
}

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

void add_wait(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<WaitFlags>();
  auto* cmd = app.add_subcommand("wait", "Wait for containers to exit and print their exit codes");
  cmd->add_option("--condition", flags->conditions,
                  "State to wait for, any of those given: stopped (default) or exited (print the "
                  "exit code), configured, created, initialized, running, paused, stopping, "
                  "removing, healthy, unhealthy (print -1)")
      ->allow_extra_args(false);
  cmd->add_option("-i,--interval", flags->interval,
                  "Time between looks at the state: a duration or milliseconds (default 250ms)");
  cmd->add_flag("--ignore", flags->ignore,
                "Print -1 for a container that does not exist instead of an error");
  cmd->add_option("CONTAINER", flags->names, "Containers");
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return wait(ctx, *flags); }); });
}

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

void add_logs(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<LogsFlags>();
  auto* cmd = app.add_subcommand("logs", "Print a container's logs");
  cmd->add_flag("-f,--follow", flags->follow, "Keep printing new output until it exits");
  cmd->add_flag("-t,--timestamps", flags->timestamps, "Prefix each line with its time");
  cmd->add_option("--since", flags->since, "Only output after this time or duration ago");
  cmd->add_option("--until", flags->until, "Only output before this time or duration ago");
  cmd->add_option("-n,--tail", flags->tail, "Only the last N lines (-1: all)");
  cmd->add_option("CONTAINER", flags->name, "The container")->required();
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return logs(ctx, *flags); }); });
}

// ---- rename, cleanup --------------------------------------------------------

Result<int> rename(Context& ctx, const std::string& from, const std::string& to) {
  if (to.empty() ||
      to.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                           "0123456789_.-") != std::string::npos ||
      !std::isalnum(static_cast<unsigned char>(to.front())))
    return base::failf(EINVAL,
                       "invalid name \"{}\": use letters, digits, _ . and -, starting with a "
                       "letter or digit",
                       to);
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  engine::ContainerStore store(engine->db());
  BURROW_TRY(auto record, store.find(from));
  BURROW_CHECK(store.rename(record.id, to));
  record.name = to;
  engine::record_container_event(engine->paths(), record, "rename");
  return 0;
}

void add_rename(CLI::App& app, Context& ctx) {
  auto from = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("rename", "Rename a container");
  cmd->add_option("CONTAINER", *from, "The container")->required();
  cmd->add_option("NAME", *to, "Its new name")->required();
  cmd->callback([&ctx, from, to] { run_command(ctx, [&] { return rename(ctx, *from, *to); }); });
}

void add_cleanup(CLI::App& container, Context& ctx) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto* cmd = container.add_subcommand(
      "cleanup", "Record a stopped container's exit and release its resources");
  cmd->add_option("CONTAINER", *names, "Containers")->required();
  cmd->callback([&ctx, names] {
    run_command(ctx, [&]() -> Result<int> {
      BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
      return for_each_reference(*names, [&](const std::string& name) -> Status {
        engine::ContainerStore store(engine->db());
        auto record = store.find(name);
        if (!record) return base::ok();  // already removed (--rm, rm -f)
        return engine::finish_container(*engine, record->id);
      });
    });
  });
}

// ---- exec -----------------------------------------------------------------

struct ExecFlags {
  bool interactive = false, tty = false, detach = false, privileged = false;
  std::vector<std::string> env, env_files;
  std::optional<std::string> user, workdir, detach_keys;
};

Result<int> exec(Context& ctx, const ExecFlags& flags, const std::vector<std::string>& positional) {
  if (positional.empty())
    return base::fail(EINVAL, "exec requires a container and a command: burrow exec CONTAINER CMD");
  if (positional.front().size() > 1 && positional.front().front() == '-')
    return base::failf(EINVAL, "unknown flag: {}", positional.front());
  engine::ExecRequest request;
  request.container = positional.front();
  request.command.assign(positional.begin() + 1, positional.end());
  for (const auto& file : flags.env_files) {
    BURROW_TRY(auto entries, engine::read_env_file(file));
    request.env.insert(request.env.end(), entries.begin(), entries.end());
  }
  for (const auto& flag : flags.env)
    if (auto entry = engine::resolve_env_flag(flag)) request.env.push_back(*entry);
  request.user = flags.user;
  request.workdir = flags.workdir;
  request.interactive = flags.interactive;
  request.detach = flags.detach;
  request.privileged = flags.privileged;
  request.tty = flags.tty;
  AttachFlags session{flags.interactive, flags.detach_keys, true};
  BURROW_CHECK(detach_sequence(session));
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  if (flags.tty && !flags.detach) return exec_with_tty(*engine, request, session);
  return engine::exec_in_container(*engine, request);
}

void add_exec(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<ExecFlags>();
  auto* cmd = app.add_subcommand("exec", "Run a process in a running container");
  cmd->prefix_command();
  cmd->fallthrough(false);
  cmd->add_flag("-i,--interactive", f->interactive, "Keep stdin open");
  cmd->add_flag("-t,--tty", f->tty, "Allocate a pseudo-TTY");
  cmd->add_option("--detach-keys", f->detach_keys,
                  "Keys that detach from the process (default ctrl-p,ctrl-q; \"\" disables)");
  cmd->add_flag("-d,--detach", f->detach, "Run in the background");
  cmd->add_flag("--privileged", f->privileged, "Run without the seccomp filter");
  cmd->add_option("-e,--env", f->env, "Set environment variables");
  cmd->add_option("--env-file", f->env_files, "Read environment variables from a file");
  cmd->add_option("-u,--user", f->user, "User (name|uid[:group|gid]) to run as");
  cmd->add_option("-w,--workdir", f->workdir, "Working directory inside the container");
  for (auto* option : cmd->get_options()) option->allow_extra_args(false);
  cmd->callback([&ctx, f, cmd] {
    auto positional = cmd->remaining();
    run_command(ctx, [&] { return exec(ctx, *f, positional); });
  });
}

}  // namespace

Result<std::optional<nlohmann::json>> inspect_container_json(engine::Engine& engine,
                                                             const std::string& reference) {
  engine::ContainerStore store(engine.db());
  auto record = store.find(reference);
  if (!record) {
    if (record.error().code == ENOENT) return std::optional<nlohmann::json>();
    return tl::unexpected(record.error());
  }
  auto observed = engine::observed(engine.paths(), *record);
  BURROW_TRY(auto stored, engine::stored_config(observed));
  return std::optional<nlohmann::json>(inspect_container(engine, observed, stored));
}

void add_container_commands(CLI::App& app, Context& ctx) {
  auto* container = app.add_subcommand("container", "Manage containers");
  container->require_subcommand(1);
  for (CLI::App* parent : {&app, container}) {
    add_start(*parent, ctx);
    add_stop(*parent, ctx, false);
    add_stop(*parent, ctx, true);
    add_kill(*parent, ctx);
    add_rm(*parent, ctx);
    add_ps(*parent, ctx, "ps");
    add_wait(*parent, ctx);
    add_logs(*parent, ctx);
    add_rename(*parent, ctx);
    add_exec(*parent, ctx);
    add_attach(*parent, ctx);
    add_container_process_commands(*parent, ctx);
  }
  add_inspect(*container, ctx, "inspect", "Display the configuration of containers",
              InspectKind::kContainer);
  add_ps(*container, ctx, "ls");
  add_ps(*container, ctx, "list");
  add_cleanup(*container, ctx);
  add_container_prune(*container, ctx);
  add_run_command(*container, ctx);
  add_create_command(*container, ctx);
  add_create_command(app, ctx);
  add_container_fs_commands(app, *container, ctx);
}

}  // namespace burrow::cli

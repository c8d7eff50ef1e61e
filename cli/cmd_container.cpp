// Container commands: start, stop, kill, rm, rename, restart, container
// cleanup (the monitor's exit command), and the container half of inspect.
// ps, wait and logs, exec and attach have files of their own.
#include <unistd.h>

#include <iostream>

#include "base/log.h"
#include "cli/commands.h"
#include "cli/container_json.h"
#include "cli/tty_session.h"
#include "engine/container_config.h"
#include "engine/container_lifecycle.h"
#include "engine/container_options.h"
#include "engine/container_remove.h"
#include "engine/container_state.h"
#include "engine/events.h"
#include "engine/signal_names.h"

namespace burrow::cli {
namespace {

using engine::Access;

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
  if (!ctx.wanted(app, "start")) return;
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
  if (!ctx.wanted(app, restart ? "restart" : "stop")) return;
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
  if (!ctx.wanted(app, "kill")) return;
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
  if (!ctx.wanted(app, "rm")) return;
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
  if (!ctx.wanted(app, "rename")) return;
  auto* cmd = app.add_subcommand("rename", "Rename a container");
  cmd->add_option("CONTAINER", *from, "The container")->required();
  cmd->add_option("NAME", *to, "Its new name")->required();
  cmd->callback([&ctx, from, to] { run_command(ctx, [&] { return rename(ctx, *from, *to); }); });
}

void add_cleanup(CLI::App& container, Context& ctx) {
  auto names = std::make_shared<std::vector<std::string>>();
  if (!ctx.wanted(container, "cleanup")) return;
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
  CLI::App* container = nullptr;
  if (ctx.wanted(app, "container")) {
    container = app.add_subcommand("container", "Manage containers");
    container->require_subcommand(1);
  }
  add_create_command(app, ctx);
  add_container_fs_commands(app, container, ctx);
  for (CLI::App* parent : {&app, container}) {
    if (parent == nullptr) continue;
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
  if (container == nullptr) return;
  add_inspect(*container, ctx, "inspect", "Display the configuration of containers",
              InspectKind::kContainer);
  add_ps(*container, ctx, "ls");
  add_ps(*container, ctx, "list");
  add_cleanup(*container, ctx);
  add_container_prune(*container, ctx);
  add_run_command(*container, ctx);
  add_create_command(*container, ctx);
}

}  // namespace burrow::cli

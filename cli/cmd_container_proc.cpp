// The processes of a container and what it publishes: pause, unpause, top
// and port.
#include <iostream>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "engine/container_config.h"
#include "engine/container_exec.h"
#include "engine/container_pause.h"
#include "engine/container_ports.h"
#include "engine/container_state.h"
#include "engine/container_store.h"
#include "engine/container_top.h"

namespace burrow::cli {
namespace {

using engine::Access;

// The containers --all means for pause (running ones) or unpause (paused).
Result<std::vector<std::string>> containers_in_state(engine::Engine& engine,
                                                     const std::string& state) {
  engine::ContainerStore store(engine.db());
  BURROW_TRY(auto records, store.list());
  std::vector<std::string> ids;
  for (const auto& record : records)
    if (engine::observed(engine.paths(), record).state == state) ids.push_back(record.id);
  return ids;
}

using PauseStep = Result<std::string> (*)(engine::Engine&, const std::string&);

Result<int> pause_or_unpause(Context& ctx, std::vector<std::string> names, bool all, PauseStep step,
                             const std::string& wanted_state) {
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  if (all) {
    BURROW_TRY(names, containers_in_state(*engine, wanted_state));
  } else if (names.empty()) {
    return base::fail(EINVAL, "at least one container name or ID must be given (or --all)");
  }
  int exit_code = 0;
  for (const auto& name : names) {
    auto done = step(*engine, name);
    if (done)
      std::cout << (all ? *done : name) << std::endl;
    else
      exit_code = report_error(done.error());
  }
  return exit_code;
}

void add_pause_command(CLI::App& app, Context& ctx, bool pause) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto all = std::make_shared<bool>(false);
  if (!ctx.wanted(app, pause ? "pause" : "unpause")) return;
  auto* cmd = app.add_subcommand(pause ? "pause" : "unpause",
                                 pause ? "Pause all the processes in one or more containers"
                                       : "Unpause the processes in one or more containers");
  cmd->add_flag("-a,--all", *all,
                pause ? "Pause all running containers" : "Unpause all paused containers");
  cmd->add_option("containers", *names, "Containers (name or ID)");
  cmd->callback([&ctx, names, all, pause] {
    run_command(ctx, [&] {
      return pause ? pause_or_unpause(ctx, *names, *all, engine::pause_container, "running")
                   : pause_or_unpause(ctx, *names, *all, engine::unpause_container, "paused");
    });
  });
}

// Unknown descriptors are ps(1) options, as Podman treats them: ps runs
// inside the container with them.
Result<int> top_with_ps(Context& ctx, const std::string& container,
                        const std::vector<std::string>& arguments) {
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  engine::ExecRequest request;
  request.container = container;
  request.command = {"ps"};
  request.command.insert(request.command.end(), arguments.begin(), arguments.end());
  BURROW_TRY(int code, engine::exec_in_container(*engine, request));
  if (code == 127)
    return base::failf(EINVAL,
                       "unknown top descriptor in \"{}\", and ps(1) is not in the container to "
                       "run them as its options: use descriptors such as user,pid,args",
                       base::join(arguments, " "));
  if (code != 0)
    return base::failf(EINVAL,
                       "ps {} in the container failed (exit {}): use descriptors such as "
                       "user,pid,args or options that its ps(1) knows",
                       base::join(arguments, " "), code);
  return 0;
}

Result<int> top(Context& ctx, const std::vector<std::string>& arguments) {
  if (arguments.empty()) return base::fail(EINVAL, "top requires a container name or ID");
  std::string container = arguments.front();
  std::vector<std::string> rest(arguments.begin() + 1, arguments.end());
  auto descriptors = engine::parse_top_descriptors(rest);
  if (!descriptors) return top_with_ps(ctx, container, rest);
  BURROW_TRY(auto engine, ctx.open_engine(Access::kReadOnly));
  BURROW_TRY(auto table, engine::container_top(*engine, container, *descriptors));
  std::vector<std::vector<std::string>> rows = {table.headers};
  rows.insert(rows.end(), table.rows.begin(), table.rows.end());
  std::cout << align_columns(rows);
  return 0;
}

void add_top_command(CLI::App& app, Context& ctx) {
  if (!ctx.wanted(app, "top")) return;
  auto* cmd = app.add_subcommand(
      "top",
      "Display the running processes of a container: top CONTAINER [DESCRIPTORS or ps options]");
  // Everything after the container is descriptors or ps options ("-ef").
  cmd->prefix_command();
  cmd->fallthrough(false);
  cmd->callback([&ctx, cmd] {
    auto arguments = cmd->remaining();
    run_command(ctx, [&] { return top(ctx, arguments); });
  });
}

struct PortFlags {
  std::vector<std::string> arguments;  // CONTAINER [PRIVATE_PORT[/PROTO]]
  bool all = false, latest = false;
};

// The container `port` names: the one given, or the newest with --latest.
Result<engine::ContainerRecord> port_container(engine::Engine& engine, const PortFlags& flags) {
  engine::ContainerStore store(engine.db());
  if (!flags.latest) return store.find(flags.arguments.front());
  BURROW_TRY(auto records, store.list());  // newest first
  if (records.empty()) return base::fail(ENOENT, "no containers to list ports of");
  return records.front();
}

Result<int> port(Context& ctx, const PortFlags& flags) {
  size_t named = flags.latest ? 0 : 1;
  if (flags.all && (!flags.arguments.empty() || flags.latest))
    return base::fail(EINVAL, "--all takes no container or port: use one of them");
  if (!flags.all && flags.arguments.size() < named)
    return base::fail(EINVAL, "port requires a container name or ID (or --all, --latest)");
  if (flags.arguments.size() > named + 1)
    return base::fail(EINVAL, "port takes one container and at most one private port");
  std::optional<engine::PortQuery> query;
  if (flags.arguments.size() == named + 1) {
    BURROW_TRY(query, engine::parse_port_query(flags.arguments.back()));
  }
  BURROW_TRY(auto engine, ctx.open_engine(Access::kReadOnly));
  std::vector<engine::ContainerRecord> containers;
  if (flags.all) {
    engine::ContainerStore store(engine->db());
    BURROW_TRY(auto records, store.list());
    for (const auto& record : records)
      if (engine::observed(engine->paths(), record).state == "running")
        containers.push_back(record);
  } else {
    BURROW_TRY(auto record, port_container(*engine, flags));
    containers.push_back(std::move(record));
  }
  for (const auto& record : containers) {
    BURROW_TRY(auto stored, engine::stored_config(record));
    BURROW_TRY(auto lines, engine::port_lines(stored.options.ports, query));
    if (flags.all && !lines.empty()) std::cout << record.id << "\n";
    for (const auto& line : lines) std::cout << line << "\n";
  }
  return 0;
}

void add_port_command(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<PortFlags>();
  if (!ctx.wanted(app, "port")) return;
  auto* cmd = app.add_subcommand("port", "List the published ports of a container");
  cmd->add_flag("-a,--all", flags->all, "The published ports of all running containers");
  cmd->add_flag("-l,--latest", flags->latest, "The newest container");
  cmd->add_option("ARGS", flags->arguments, "CONTAINER [PRIVATE_PORT[/PROTO]]");
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return port(ctx, *flags); }); });
}

}  // namespace

void add_container_process_commands(CLI::App& parent, Context& ctx) {
  add_pause_command(parent, ctx, true);
  add_pause_command(parent, ctx, false);
  add_top_command(parent, ctx);
  add_port_command(parent, ctx);
}

}  // namespace burrow::cli

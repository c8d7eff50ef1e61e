// `burrow container prune`: removes the containers that are not running,
// after asking (as Podman does, also when stdin is not a terminal) unless
// --force is given.
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "engine/container_prune.h"

namespace burrow::cli {
namespace {

struct PruneFlags {
  bool force = false;
  std::vector<std::string> filters;
};

Result<int> prune(Context& ctx, const PruneFlags& flags) {
  if (!flags.force && !confirm("WARNING! This will remove all non running containers.\n")) return 0;
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kModify));
  BURROW_TRY(auto report, engine::prune_containers(*engine, flags.filters));
  for (const auto& id : report.removed) std::cout << id << "\n";
  std::cout << std::flush;
  int exit_code = 0;
  for (const auto& error : report.errors) exit_code = report_error(error);
  return exit_code;
}

}  // namespace

void add_container_prune(CLI::App& container, Context& ctx) {
  auto flags = std::make_shared<PruneFlags>();
  if (!ctx.wanted(container, "prune")) return;
  auto* cmd = container.add_subcommand("prune", "Remove all containers that are not running");
  cmd->add_flag("-f,--force", flags->force, "Do not prompt for confirmation");
  cmd->add_option("--filter", flags->filters, "Filter: until=TIME, label=KEY[=VALUE], label!=...");
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return prune(ctx, *flags); }); });
}

}  // namespace burrow::cli

// `burrow healthcheck run CONTAINER`: runs the container's healthcheck once
// (the monitor runs the same command every interval). Exits 0 when the
// check passed, 1 (printing "unhealthy") when it failed, 125 when it could
// not run.
#include <iostream>

#include "cli/commands.h"
#include "engine/healthcheck.h"

namespace burrow::cli {
namespace {

Result<int> healthcheck_run(Context& ctx, const std::string& name) {
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kModify));
  BURROW_TRY(auto run, engine::run_healthcheck(*engine, name));
  if (run.passed) return 0;
  std::cout << "unhealthy" << std::endl;
  return 1;
}

}  // namespace

void add_healthcheck_commands(CLI::App& app, Context& ctx) {
  if (!ctx.wanted(app, "healthcheck")) return;
  auto* healthcheck = app.add_subcommand("healthcheck", "Manage container healthchecks");
  healthcheck->require_subcommand(1);
  auto name = std::make_shared<std::string>();
  auto* run = healthcheck->add_subcommand("run", "Run a container's healthcheck once");
  run->add_option("CONTAINER", *name, "The container")->required();
  run->callback([&ctx, name] { run_command(ctx, [&] { return healthcheck_run(ctx, *name); }); });
}

}  // namespace burrow::cli

// The burrow CLI: parses the command line, runs one command, and is the only
// place that prints errors and chooses exit codes.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "base/log.h"
#include "cli/commands.h"
#include "cli/context.h"

#ifndef BURROW_VERSION
#define BURROW_VERSION "0.0.0"
#endif

namespace {

void add_global_options(CLI::App& app, burrow::cli::GlobalOptions& global) {
  app.add_option("--root", global.root, "Path to the graph root directory (images, containers)");
  app.add_option("--runroot", global.runroot, "Path to the directory for runtime state");
  app.add_option("--storage-driver", global.storage_driver,
                 "Storage driver: overlay, fuse-overlayfs or vfs");
  app.add_option_function<std::string>(
      "--log-level",
      [&global](const std::string& value) {
        auto level = burrow::base::parse_log_level(value);
        if (!level) throw CLI::ValidationError("--log-level", level.error().message);
        burrow::base::set_log_level(*level);
        global.log_level = value;
      },
      "Log messages at and above: debug, info, warn (default), error, fatal or panic");
}

std::unique_ptr<CLI::App> build_app(burrow::cli::Context& ctx) {
  auto app = std::make_unique<CLI::App>("burrow: daemonless, rootless-first containers", "burrow");
  app->set_version_flag("-v,--version", std::string("burrow version ") + BURROW_VERSION);
  app->require_subcommand(1);
  app->fallthrough();
  add_global_options(*app, ctx.global);
  burrow::cli::add_image_commands(*app, ctx);
  burrow::cli::add_load_commands(*app, ctx);
  burrow::cli::add_run_command(*app, ctx);
  burrow::cli::add_container_commands(*app, ctx);
  burrow::cli::add_system_commands(*app, ctx);
  burrow::cli::add_events_commands(*app, ctx);  // after system: adds `system events`
  burrow::cli::add_healthcheck_commands(*app, ctx);
  burrow::cli::add_registry_commands(*app, ctx);
  burrow::cli::add_push_commands(*app, ctx);
  burrow::cli::add_save_commands(*app, ctx);
  burrow::cli::add_network_commands(*app, ctx);
  return app;
}

}  // namespace

int main(int argc, char** argv) {
  burrow::cli::Context ctx;
  ctx.words = burrow::cli::command_words(argc, argv);
  auto built = build_app(ctx);
  // A word that names no command: build them all, so that CLI11 reports it
  // (and --help lists everything).
  auto named = [&](CLI::App* sub) { return sub->check_name(ctx.words.front()); };
  if (!ctx.words.empty() && built->get_subcommands(named).empty()) {
    ctx.words.clear();
    built = build_app(ctx);
  }
  CLI::App& app = *built;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "Error: " << e.what() << "\nSee 'burrow --help'.\n";
    return burrow::cli::kExitEngineError;
  }
  burrow::base::debug("exiting with {}", ctx.exit_code);
  return ctx.exit_code;
}

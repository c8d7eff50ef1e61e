// One function per command group registers its subcommands on the app.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace burrow::cli {

void add_image_commands(CLI::App& app, Context& ctx);
void add_load_commands(CLI::App& app, Context& ctx);
void add_load(CLI::App& parent, Context& ctx);
void add_import(CLI::App& parent, Context& ctx);
void add_run_command(CLI::App& app, Context& ctx);
void add_system_commands(CLI::App& app, Context& ctx);

}  // namespace burrow::cli

// One function per command group registers its subcommands on the app.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/context.h"

namespace burrow::cli {

// Each use of a command's repeatable options takes one value; otherwise
// "-v a:b IMAGE" would swallow the image as a second volume. Positional
// lists keep all their values. Call it once the options are added.
inline void one_value_per_use(CLI::App& cmd) {
  for (auto* option : cmd.get_options())
    if (option->nonpositional()) option->allow_extra_args(false);  // "FILE IMAGE" take both
}

// The command group `name` ("image", "system") when this invocation built
// it (the tree is built lazily), else nullptr: groups get their members
// from several files.
inline CLI::App* built_group(CLI::App& app, const std::string& name) {
  auto found = app.get_subcommands([&](CLI::App* sub) { return sub->get_name() == name; });
  return found.empty() ? nullptr : found.front();
}

void add_image_commands(CLI::App& app, Context& ctx);
void add_load_commands(CLI::App& app, Context& ctx);
void add_load(CLI::App& parent, Context& ctx);
void add_import(CLI::App& parent, Context& ctx);
void add_run_command(CLI::App& app, Context& ctx);
void add_create_command(CLI::App& app, Context& ctx);
void add_container_commands(CLI::App& app, Context& ctx);
// Each under `container` and at the top level (ps also as ls and list).
void add_ps(CLI::App& app, Context& ctx, const std::string& name);
void add_wait(CLI::App& app, Context& ctx);
void add_logs(CLI::App& app, Context& ctx);
void add_exec(CLI::App& app, Context& ctx);
// pause, unpause and top, on the top level and under `container`.
void add_container_process_commands(CLI::App& parent, Context& ctx);
// cp, diff, mount, unmount, export, commit (at the top level and under
// `container`, when it is built) and unshare.
void add_container_fs_commands(CLI::App& app, CLI::App* container, Context& ctx);
void add_export(CLI::App& app, Context& ctx);
void add_commit(CLI::App& app, Context& ctx);
void add_attach(CLI::App& app, Context& ctx);
void add_container_prune(CLI::App& container, Context& ctx);
void add_events_commands(CLI::App& app, Context& ctx);
void add_healthcheck_commands(CLI::App& app, Context& ctx);

// What `inspect` shows for a container; nullopt when there is no such one.
Result<std::optional<nlohmann::json>> inspect_container_json(engine::Engine& engine,
                                                             const std::string& reference);

// One object as `inspect` shows it: its JSON, and what a --format template
// sees (the same for containers and images; a network's JSON keeps its
// file's lower-case keys while templates use Podman's Go field names).
struct InspectedObject {
  nlohmann::ordered_json output;
  nlohmann::json view;
};

// A network for `inspect`; nullopt when there is no such network.
Result<std::optional<InspectedObject>> inspect_network_json(engine::Engine& engine,
                                                            const std::string& reference);

enum class InspectKind { kAny, kImage, kContainer, kNetwork };
void add_inspect(CLI::App& app, Context& ctx, const std::string& name, const std::string& help,
                 InspectKind kind);
void add_system_commands(CLI::App& app, Context& ctx);
// pull, login, logout (cmd_registry.cpp); push and search (cmd_push.cpp).
void add_registry_commands(CLI::App& app, Context& ctx);
void add_push_commands(CLI::App& app, Context& ctx);
// save; image history, tree and prune (cmd_save.cpp).
void add_save_commands(CLI::App& app, Context& ctx);
// network create, ls, inspect, rm, prune, exists (cmd_network.cpp).
void add_network_commands(CLI::App& app, Context& ctx);
// network connect and disconnect (cmd_network_connect.cpp).
void add_network_connect_commands(CLI::App& network, Context& ctx);

}  // namespace burrow::cli

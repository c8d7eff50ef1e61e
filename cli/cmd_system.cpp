// info, version, system reset (and system info).
#include <sys/utsname.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <iostream>

#include "base/file_util.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "engine/container_remove.h"
#include "engine/container_store.h"
#include "engine/rootfs.h"
#include "image/manifest.h"
#include "userns/id_map.h"
#include "userns/keeper.h"

#ifndef BURROW_VERSION
#define BURROW_VERSION "0.0.0"
#endif

namespace burrow::cli {
namespace {

YAML::Node to_yaml(const nlohmann::json& value) {
  YAML::Node node;
  if (value.is_object()) {
    node = YAML::Node(YAML::NodeType::Map);
    for (const auto& [key, item] : value.items()) node[key] = to_yaml(item);
  } else if (value.is_array()) {
    node = YAML::Node(YAML::NodeType::Sequence);
    for (const auto& item : value) node.push_back(to_yaml(item));
  } else if (value.is_string()) {
    node = value.get<std::string>();
  } else if (!value.is_null()) {
    node = value.dump();
  }
  return node;
}

Result<int> print_formatted(const nlohmann::json& value, const std::string& format) {
  if (format.empty()) {
    YAML::Emitter out;
    out << to_yaml(value);
    std::cout << out.c_str() << "\n";
    return 0;
  }
  if (format == "json") {
    std::cout << value.dump(4) << "\n";
    return 0;
  }
  BURROW_TRY(Template tmpl, Template::parse(format));
  BURROW_TRY(std::string line, tmpl.render(value));
  std::cout << line << "\n";
  return 0;
}

nlohmann::json id_mappings(const std::vector<userns::IdMapEntry>& entries) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : entries)
    out.push_back({{"container_id", e.inside}, {"host_id", e.outside}, {"size", e.count}});
  return out;
}

nlohmann::json host_info(const engine::HostProfile& host) {
  auto plan = userns::plan_rootless_maps(host.uid, host.gid, host.subuids, host.subgids);
  struct utsname uts;
  ::uname(&uts);
  auto platform = image::host_platform();
  return {{"arch", platform.architecture},
          {"os", "linux"},
          {"kernel", host.kernel_release},
          {"hostname", uts.nodename},
          {"cgroupVersion", host.cgroup_v2 ? "v2" : "v1"},
          {"ociRuntime", {{"name", "burrow"}, {"package", "built-in"}}},
          {"security",
           {{"rootless", host.rootless},
            {"seccompEnabled", true},
            {"seccompProfilePath", "built-in (policies/seccomp/default.json)"}}},
          {"idMappings",
           {{"uidmap", host.rootless ? id_mappings(plan.uids) : nlohmann::json(nullptr)},
            {"gidmap", host.rootless ? id_mappings(plan.gids) : nlohmann::json(nullptr)}}}};
}

Result<int> info(Context& ctx, const std::string& format) {
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kModify));
  BURROW_TRY(auto driver,
             engine::storage_driver(engine->paths(), engine->options().storage_driver));
  BURROW_TRY(auto images, engine->images().list());
  engine::ContainerStore containers(engine->db());
  BURROW_TRY(auto all_containers, containers.list());
  nlohmann::json value = {{"host", host_info(engine->host())},
                          {"store",
                           {{"graphRoot", engine->paths().graph_root},
                            {"runRoot", engine->paths().run_root},
                            {"graphDriverName", std::string(storage::to_string(driver))},
                            {"imageStore", {{"number", images.size()}}},
                            {"containerStore", {{"number", all_containers.size()}}}}},
                          {"version", {{"Version", BURROW_VERSION}}}};
  return print_formatted(value, format);
}

nlohmann::json version_info() {
  auto platform = image::host_platform();
  return {{"Client",
           {{"Version", BURROW_VERSION},
            {"APIVersion", BURROW_VERSION},
            {"OsArch", "linux/" + platform.architecture},
            {"BuiltTime", __DATE__}}}};
}

Result<int> version(const std::string& format) {
  if (!format.empty()) {
    BURROW_TRY(Template tmpl, Template::parse(format));
    BURROW_TRY(std::string line, tmpl.render(version_info()));
    std::cout << line << "\n";
    return 0;
  }
  auto client = version_info()["Client"];
  std::cout << "Version:      " << client["Version"].get<std::string>() << "\n"
            << "API Version:  " << client["APIVersion"].get<std::string>() << "\n"
            << "Built:        " << client["BuiltTime"].get<std::string>() << "\n"
            << "OS/Arch:      " << client["OsArch"].get<std::string>() << "\n";
  return 0;
}

// Unmounts whatever the containers still have mounted, then removes the
// whole graph root and run root and stops the keeper.
Result<int> reset(Context& ctx, bool force) {
  if (!force && !confirm("WARNING! This will remove:\n"
                         "        - all containers\n"
                         "        - all images\n"
                         "        - all build cache\n"))
    return 0;
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kModify));
  engine::ContainerStore containers(engine->db());
  BURROW_TRY(auto all, containers.list());
  // Each running container is killed and its monitor waited for, so none
  // writes into the store while it is being deleted.
  for (const auto& c : all) {
    if (auto removed = engine::remove_container(*engine, c.id, true); !removed)
      base::warn("removing container {}: {}", c.name, removed.error().message);
  }
  std::string graph_root = engine->paths().graph_root;
  std::string run_root = engine->paths().run_root;
  engine.reset();
  BURROW_CHECK(base::remove_tree(graph_root));
  if (ctx.host().rootless) BURROW_CHECK(userns::stop_keeper(run_root));
  BURROW_CHECK(base::remove_tree(run_root));
  return 0;
}

void add_info(CLI::App& parent, Context& ctx) {
  auto format = std::make_shared<std::string>();
  if (!ctx.wanted(parent, "info")) return;
  auto* cmd = parent.add_subcommand("info", "Display burrow and host information");
  cmd->add_option("-f,--format", *format, "json, or a Go template");
  cmd->callback([&ctx, format] { run_command(ctx, [&] { return info(ctx, *format); }); });
}

}  // namespace

void add_system_commands(CLI::App& app, Context& ctx) {
  add_info(app, ctx);
  if (ctx.wanted(app, "version")) {
    auto version_format = std::make_shared<std::string>();
    auto* version_cmd = app.add_subcommand("version", "Display the burrow version");
    version_cmd->add_option("-f,--format", *version_format, "Go template");
    version_cmd->callback(
        [&ctx, version_format] { run_command(ctx, [&] { return version(*version_format); }); });
  }
  if (!ctx.wanted(app, "system")) return;
  auto* system = app.add_subcommand("system", "Manage burrow");
  system->require_subcommand(1);
  add_info(*system, ctx);
  if (!ctx.wanted(*system, "reset")) return;
  auto force = std::make_shared<bool>(false);
  auto* reset_cmd = system->add_subcommand("reset", "Remove all images, containers and state");
  reset_cmd->add_flag("-f,--force", *force, "Do not prompt for confirmation");
  reset_cmd->callback([&ctx, force] { run_command(ctx, [&] { return reset(ctx, *force); }); });
}

}  // namespace burrow::cli

// Container file system commands: cp, diff, mount, unmount/umount and
// unshare (the shell in which rootless mounts are visible).
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "engine/container_cp.h"
#include "engine/container_diff.h"
#include "engine/container_mount.h"
#include "engine/container_store.h"

namespace burrow::cli {
namespace {

using engine::Access;

// ---- cp -------------------------------------------------------------------

struct CpFlags {
  std::string source, dest;
  bool archive = true, overwrite = false, follow_link = false;
};

Result<int> cp(Context& ctx, const CpFlags& flags) {
  BURROW_TRY(auto request, engine::parse_copy_args(flags.source, flags.dest));
  request.archive = flags.archive;
  request.overwrite = flags.overwrite;
  request.follow_link = flags.follow_link;
  // A reader that goes away (`| head`) makes writes fail with EPIPE, which
  // is reported, rather than killing the command half-way.
  ::signal(SIGPIPE, SIG_IGN);
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  BURROW_CHECK(engine::copy_files(*engine, request));
  return 0;
}

void add_cp(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<CpFlags>();
  if (!ctx.wanted(app, "cp")) return;
  auto* cmd = app.add_subcommand("cp", "Copy files between a container and the host");
  cmd->add_flag("-a,--archive", flags->archive,
                "Files copied in belong to the container's user (default true; "
                "--archive=false keeps their ids)");
  cmd->add_flag("--overwrite", flags->overwrite,
                "Allow replacing a directory with a non-directory and the reverse");
  cmd->add_flag("-L,--follow-link", flags->follow_link, "Follow the source's symlink (always)");
  cmd->add_option("SRC", flags->source, "CONTAINER:PATH, a host path or - (a tar on stdin)")
      ->required();
  cmd->add_option("DEST", flags->dest, "CONTAINER:PATH, a host path or - (a tar on stdout)")
      ->required();
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return cp(ctx, *flags); }); });
}

// ---- diff -----------------------------------------------------------------

const char* change_letter(storage::ChangeKind kind) {
  switch (kind) {
    case storage::ChangeKind::kAdded:
      return "A";
    case storage::ChangeKind::kChanged:
      return "C";
    case storage::ChangeKind::kDeleted:
      return "D";
  }
  return "?";
}

// Podman's JSON: only the non-empty lists, in this order.
nlohmann::ordered_json changes_json(const std::vector<storage::Change>& changes) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  const std::pair<const char*, storage::ChangeKind> groups[] = {
      {"changed", storage::ChangeKind::kChanged},
      {"added", storage::ChangeKind::kAdded},
      {"deleted", storage::ChangeKind::kDeleted}};
  for (const auto& [key, kind] : groups) {
    std::vector<std::string> paths;
    for (const auto& change : changes)
      if (change.kind == kind) paths.push_back(change.path);
    if (!paths.empty()) out[key] = paths;
  }
  return out;
}

Result<int> diff(Context& ctx, const std::string& name, const std::string& format) {
  if (!format.empty() && format != "json")
    return base::failf(EINVAL, "unsupported --format \"{}\": use json", format);
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  BURROW_TRY(auto changes, engine::container_changes(*engine, name));
  if (format == "json") {
    std::cout << changes_json(changes).dump(5) << "\n";
    return 0;
  }
  for (const auto& change : changes)
    std::cout << change_letter(change.kind) << " " << change.path << "\n";
  return 0;
}

void add_diff(CLI::App& app, Context& ctx) {
  auto name = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>();
  if (!ctx.wanted(app, "diff")) return;
  auto* cmd = app.add_subcommand("diff", "Show the files a container added, changed or deleted");
  cmd->add_option("--format", *format, "json");
  cmd->add_option("CONTAINER", *name, "The container")->required();
  cmd->callback(
      [&ctx, name, format] { run_command(ctx, [&] { return diff(ctx, *name, *format); }); });
}

// ---- mount, unmount -------------------------------------------------------

// Podman's rule: rootless mounts exist only in the keeper's mount namespace,
// so a path printed outside it would be useless.
Status require_unshare(Context& ctx, const std::string& command) {
  if (!ctx.host().rootless || ctx.host().in_user_namespace) return base::ok();
  return base::failf(EPERM,
                     "cannot run command \"burrow {}\" in rootless mode, must execute `burrow "
                     "unshare` first",
                     command);
}

struct MountFlags {
  std::vector<std::string> names;
  bool all = false, no_trunc = false;
  std::string format;
};

Result<int> list_mounts(engine::Engine& engine, const MountFlags& flags) {
  BURROW_TRY(auto mounted, engine::mounted_containers(engine));
  if (flags.format == "json") {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& [id, path] : mounted) rows.push_back({{"id", id}, {"mountpoint", path}});
    std::cout << rows.dump(4) << "\n";
    return 0;
  }
  for (const auto& [id, path] : mounted)
    std::cout << (flags.no_trunc ? id : id.substr(0, 12)) << "  " << path << "\n";
  return 0;
}

Result<int> mount(Context& ctx, const MountFlags& flags) {
  BURROW_CHECK(require_unshare(ctx, "mount"));
  if (!flags.format.empty() && flags.format != "json")
    return base::failf(EINVAL, "unsupported --format \"{}\": use json", flags.format);
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  std::vector<std::string> names = flags.names;
  if (flags.all) {
    engine::ContainerStore store(engine->db());
    BURROW_TRY(auto records, store.list());
    for (const auto& record : records) names.push_back(record.id);
  }
  if (names.empty()) return list_mounts(*engine, flags);
  int exit_code = 0;
  for (const auto& name : names) {
    auto path = engine::mount_container(*engine, name);
    if (!path) {
      exit_code = report_error(path.error());
      continue;
    }
    std::cout << (flags.all ? name.substr(0, 12) + " " : "") << *path << std::endl;
  }
  return exit_code;
}

void add_mount(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<MountFlags>();
  if (!ctx.wanted(app, "mount")) return;
  auto* cmd = app.add_subcommand("mount", "Mount a container's root file system");
  cmd->add_flag("-a,--all", flags->all, "Mount all containers");
  cmd->add_flag("--no-trunc", flags->no_trunc, "Do not truncate IDs");
  cmd->add_option("--format", flags->format, "json");
  cmd->add_option("CONTAINER", flags->names, "Containers (none: list the mounted ones)");
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return mount(ctx, *flags); }); });
}

struct UnmountFlags {
  std::vector<std::string> names;
  bool all = false, force = false;
};

Result<int> unmount(Context& ctx, const UnmountFlags& flags) {
  BURROW_CHECK(require_unshare(ctx, "unmount"));
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  std::vector<std::string> names = flags.names;
  if (flags.all) {
    BURROW_TRY(auto mounted, engine::mounted_containers(*engine));
    names.clear();
    for (const auto& entry : mounted) names.push_back(entry.first);
  } else if (names.empty()) {
    return base::fail(EINVAL, "unmount requires at least one container (or --all)");
  }
  int exit_code = 0;
  for (const auto& name : names) {
    auto done = engine::unmount_container(*engine, name, flags.force);
    if (!done) {
      exit_code = report_error(done.error());
      continue;
    }
    std::cout << name << std::endl;
  }
  return exit_code;
}

void add_unmount(CLI::App& app, Context& ctx, const std::string& name) {
  auto flags = std::make_shared<UnmountFlags>();
  if (!ctx.wanted(app, name)) return;
  auto* cmd = app.add_subcommand(name, "Unmount a container's root file system");
  cmd->add_flag("-a,--all", flags->all, "Unmount all mounted containers");
  cmd->add_flag("-f,--force", flags->force, "Drop every hold, not just one");
  cmd->add_option("CONTAINER", flags->names, "Containers");
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return unmount(ctx, *flags); }); });
}

// ---- unshare --------------------------------------------------------------

Result<int> unshare(Context& ctx, std::vector<std::string> command) {
  if (!ctx.host().rootless) return base::fail(EPERM, "please use unshare with rootless");
  if (!command.empty() && command.front().size() > 1 && command.front().front() == '-')
    return base::failf(EINVAL, "unknown flag: {}", command.front());
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  if (command.empty()) {
    const char* shell = std::getenv("SHELL");
    command = {shell && *shell ? shell : "/bin/sh"};
  }
  // Podman's names, so tools written for `podman unshare` find the store.
  ::setenv("CONTAINERS_GRAPHROOT", engine->paths().graph_root.c_str(), 1);
  ::setenv("CONTAINERS_RUNROOT", engine->paths().run_root.c_str(), 1);
  std::vector<char*> argv;
  for (auto& arg : command) argv.push_back(arg.data());
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  int saved = errno;
  Error error{saved, fmt::format("exec {}: {}", command.front(), std::strerror(saved)),
              saved == ENOENT ? 127 : 126};
  return tl::unexpected(error);
}

void add_unshare(CLI::App& app, Context& ctx) {
  if (!ctx.wanted(app, "unshare")) return;
  auto* cmd = app.add_subcommand(
      "unshare", "Run a command in the user and mount namespaces rootless containers live in");
  cmd->prefix_command();
  cmd->fallthrough(false);
  cmd->callback([&ctx, cmd] {
    auto command = cmd->remaining();
    run_command(ctx, [&] { return unshare(ctx, command); });
  });
}

}  // namespace

void add_container_fs_commands(CLI::App& app, CLI::App* container, Context& ctx) {
  for (CLI::App* parent : {&app, container}) {
    if (parent == nullptr) continue;
    add_cp(*parent, ctx);
    add_diff(*parent, ctx);
    add_mount(*parent, ctx);
    add_unmount(*parent, ctx, "unmount");
    add_unmount(*parent, ctx, "umount");
    add_export(*parent, ctx);
    add_commit(*parent, ctx);
  }
  add_unshare(app, ctx);
}

}  // namespace burrow::cli

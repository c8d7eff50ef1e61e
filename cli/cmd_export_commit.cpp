// export (a container's rootfs as a tar) and commit (a container as a new
// image).
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>

#include "base/scope_exit.h"
#include "cli/commands.h"
#include "engine/container_commit.h"
#include "engine/container_export.h"

namespace burrow::cli {
namespace {

using engine::Access;

// ---- export ---------------------------------------------------------------

mode_t mode_for_new_file() {
  mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

// Written beside the file and renamed at the end: a failed export never
// leaves a half-written archive under the name asked for.
Status export_to_file(engine::Engine& engine, const std::string& name, const std::string& file) {
  std::string temp = file + ".burrow-XXXXXX";
  base::UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (!fd) return base::fail_errno("creating {}", file);
  base::ScopeExit remove_temp([&] { ::unlink(temp.c_str()); });
  BURROW_CHECK(engine::export_container(engine, name, fd.get()));
  // mkstemp's 0600 would surprise: the file gets the mode a shell redirect gives.
  if (::fchmod(fd.get(), mode_for_new_file()) != 0) return base::fail_errno("chmod {}", file);
  if (::fsync(fd.get()) != 0) return base::fail_errno("writing {}", file);
  if (::rename(temp.c_str(), file.c_str()) != 0) return base::fail_errno("renaming to {}", file);
  remove_temp.dismiss();
  return base::ok();
}

Result<int> export_command(Context& ctx, const std::string& name, const std::string& output) {
  if (output.empty() && ::isatty(STDOUT_FILENO))
    return base::fail(EINVAL, "refusing to export to terminal. Use -o flag or redirect");
  ::signal(SIGPIPE, SIG_IGN);
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  if (output.empty() || output == "-") {
    BURROW_CHECK(engine::export_container(*engine, name, STDOUT_FILENO));
  } else {
    BURROW_CHECK(export_to_file(*engine, name, output));
  }
  return 0;
}

}  // namespace

void add_export(CLI::App& app, Context& ctx) {
  auto name = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  if (!ctx.wanted(app, "export")) return;
  auto* cmd = app.add_subcommand("export", "Export a container's file system as a tar archive");
  cmd->add_option("-o,--output", *output, "Write to this file instead of stdout");
  cmd->add_option("CONTAINER", *name, "The container")->required();
  cmd->callback([&ctx, name, output] {
    run_command(ctx, [&] { return export_command(ctx, *name, *output); });
  });
}

// ---- commit ---------------------------------------------------------------

namespace {

struct CommitFlags {
  std::string container;
  std::optional<std::string> image;
  std::vector<std::string> changes;
  std::string message, author, format = "oci";
  bool quiet = false, pause = true;
};

Result<int> commit(Context& ctx, const CommitFlags& flags) {
  if (flags.format != "oci" && flags.format != "docker")
    return base::failf(EINVAL, "unsupported --format \"{}\": use oci or docker", flags.format);
  engine::CommitOptions options;
  options.name = flags.image;
  options.changes = flags.changes;
  options.message = flags.message;
  options.author = flags.author;
  options.pause = flags.pause;
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  BURROW_TRY(std::string id, engine::commit_container(*engine, flags.container, options));
  // Progress goes to stderr, so stdout is the id alone, as with Podman.
  if (!flags.quiet) std::cerr << "Writing manifest to image destination" << std::endl;
  std::cout << id << std::endl;
  return 0;
}

}  // namespace

void add_commit(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<CommitFlags>();
  if (!ctx.wanted(app, "commit")) return;
  auto* cmd = app.add_subcommand("commit", "Create a new image from a container's changes");
  cmd->add_option("-c,--change", flags->changes,
                  "Apply a Containerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
                  "STOPSIGNAL, USER, VOLUME, WORKDIR)");
  cmd->add_option("-m,--message", flags->message, "Commit message (the history comment)");
  cmd->add_option("-a,--author", flags->author, "Author of the image");
  cmd->add_option("-f,--format", flags->format, "Image format: oci (default) or docker");
  cmd->add_flag("-q,--quiet", flags->quiet, "Print only the image id");
  cmd->add_flag("-p,--pause", flags->pause, "Pause the container while committing (default true)");
  cmd->add_option("CONTAINER", flags->container, "The container")->required();
  cmd->add_option("IMAGE", flags->image, "Name of the new image (unnamed when left out)");
  one_value_per_use(*cmd);
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return commit(ctx, *flags); }); });
}

}  // namespace burrow::cli

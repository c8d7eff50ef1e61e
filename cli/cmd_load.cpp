// load and import: images from archives and rootfs tarballs.
#include <fcntl.h>
#include <unistd.h>

#include <iostream>

#include "base/file_util.h"
#include "base/unique_fd.h"
#include "cli/commands.h"
#include "engine/image_load.h"

namespace burrow::cli {
namespace {

// "-" or no path reads standard input, which must not be a terminal.
Result<base::UniqueFd> open_input(const std::string& path) {
  if (path.empty() || path == "-") {
    if (::isatty(STDIN_FILENO))
      return base::fail(EINVAL, "cannot read an archive from a terminal: use -i FILE or a pipe");
    return base::UniqueFd(::dup(STDIN_FILENO));
  }
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return base::fail_errno("opening {}", path);
  return fd;
}

struct LoadFlags {
  std::string input;
  bool quiet = false;
};

Result<std::vector<std::string>> load_input(Context& ctx, const std::string& input) {
  // An OCI layout directory (`save --format oci-dir`) is read file by file.
  bool directory = !input.empty() && input != "-" && base::is_directory(input);
  base::UniqueFd fd;
  if (!directory) {
    BURROW_TRY(fd, open_input(input));
  }
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kModify));
  auto loaded = directory ? engine::load_images_from_directory(*engine, input)
                          : engine::load_images(*engine, fd.get());
  if (!loaded)
    return tl::unexpected(loaded.error().with_context(
        "payload does not match any of the supported image formats or is damaged"));
  return loaded;
}

Result<int> load(Context& ctx, const LoadFlags& flags) {
  BURROW_TRY(auto loaded, load_input(ctx, flags.input));
  for (const auto& name : loaded) std::cout << "Loaded image: " << name << "\n";
  return 0;
}

struct ImportFlags {
  std::vector<std::string> args;  // SOURCE [REFERENCE]
  std::vector<std::string> changes;
  std::string message;
  bool quiet = false;
};

Result<int> import(Context& ctx, const ImportFlags& flags) {
  if (flags.args.empty() || flags.args.size() > 2)
    return base::fail(EINVAL, "import requires a tarball (or -) and an optional image name");
  engine::ImportOptions options;
  if (flags.args.size() == 2) options.name = flags.args[1];
  options.changes = flags.changes;
  options.message = flags.message;
  BURROW_TRY(base::UniqueFd fd, open_input(flags.args[0]));
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kModify));
  BURROW_TRY(std::string id, engine::import_rootfs(*engine, fd.get(), options));
  std::cout << "sha256:" << id << "\n";
  return 0;
}

}  // namespace

void add_load(CLI::App& parent, Context& ctx) {
  auto flags = std::make_shared<LoadFlags>();
  if (!ctx.wanted(parent, "load")) return;
  auto* cmd = parent.add_subcommand(
      "load", "Load images from a docker-archive, an oci-archive or an OCI layout directory");
  cmd->add_option("-i,--input", flags->input,
                  "Read from this archive or OCI layout directory instead of stdin");
  cmd->add_flag("-q,--quiet", flags->quiet, "Suppress progress output");
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return load(ctx, *flags); }); });
}

void add_import(CLI::App& parent, Context& ctx) {
  auto flags = std::make_shared<ImportFlags>();
  if (!ctx.wanted(parent, "import")) return;
  auto* cmd = parent.add_subcommand("import", "Create an image from a rootfs tarball");
  cmd->add_option("-c,--change", flags->changes,
                  "Apply a Containerfile instruction: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
                  "STOPSIGNAL, USER, VOLUME, WORKDIR");
  cmd->add_option("-m,--message", flags->message, "Commit message for the imported image");
  cmd->add_flag("-q,--quiet", flags->quiet, "Suppress progress output");
  cmd->add_option("SOURCE [REFERENCE]", flags->args, "Tarball path or -, then the image name")
      ->required();
  one_value_per_use(*cmd);
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return import(ctx, *flags); }); });
}

void add_load_commands(CLI::App& app, Context& ctx) {
  add_load(app, ctx);
  add_import(app, ctx);
}

}  // namespace burrow::cli

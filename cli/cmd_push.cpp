// push and search.
#include <unistd.h>

#include <iostream>

#include "base/file_util.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "cli/pull_progress.h"
#include "cli/registry_flags.h"
#include "engine/image_push.h"
#include "engine/registry_access.h"
#include "registry/registries_conf.h"

namespace burrow::cli {
namespace {

struct PushFlags {
  std::vector<std::string> args;  // IMAGE [DESTINATION]
  RegistryFlags registry;
  std::string format;
  std::string sign_by;
  std::string digestfile;
  bool quiet = false;
};

Result<int> push(Context& ctx, const PushFlags& flags) {
  if (flags.args.empty() || flags.args.size() > 2)
    return base::fail(EINVAL, "push needs an image and an optional destination");
  engine::PushSettings settings;
  BURROW_TRY(settings.registry, flags.registry.options());
  if (!flags.format.empty()) {
    BURROW_TRY(settings.format, engine::parse_manifest_format(flags.format));
  }
  if (!flags.sign_by.empty()) settings.sign_by = flags.sign_by;
  PullProgress progress(flags.quiet, ::isatty(STDERR_FILENO) == 1);
  settings.report = progress.reporter();
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kReadOnly));
  std::string destination = flags.args.size() == 2 ? flags.args[1] : "";
  BURROW_TRY(auto pushed, engine::push_image(*engine, flags.args[0], destination, settings));
  if (!flags.digestfile.empty()) {
    BURROW_CHECK(base::write_file_atomic(flags.digestfile, pushed.manifest_digest));
  }
  return 0;
}

struct SearchFlags {
  std::string term;
  RegistryFlags registry;
  int limit = 25;
  bool list_tags = false;
  bool no_trunc = false;
  std::string format;
};

// "host/term" searches that registry; a bare term, every unqualified-search
// registry. A v2 registry has no search API: its catalog is filtered.
Result<std::vector<nlohmann::json>> search_rows(const SearchFlags& flags) {
  BURROW_TRY(auto options, flags.registry.options());
  BURROW_TRY(auto conf, registry::load_registries_conf());
  std::vector<std::pair<std::string, std::string>> targets;  // host, term
  auto slash = flags.term.find('/');
  std::string first = flags.term.substr(0, slash);
  if (slash != std::string::npos &&
      (first.find('.') != std::string::npos || first.find(':') != std::string::npos ||
       first == "localhost")) {
    targets.emplace_back(first, flags.term.substr(slash + 1));
  } else {
    for (const auto& host : conf.unqualified_search_registries)
      targets.emplace_back(host, flags.term);
  }
  if (targets.empty())
    return base::fail(EINVAL,
                      "no registry to search: name one (HOST/TERM) or set "
                      "unqualified-search-registries in registries.conf");
  std::vector<nlohmann::json> rows;
  for (const auto& [host, term] : targets) {
    BURROW_TRY(image::Reference ref, image::parse_reference(host + "/x"));
    ref.path = flags.list_tags ? term : "";
    BURROW_TRY(auto client, engine::connect_to_repository(
                                options, ref, registry::is_insecure_registry(conf, host),
                                registry::Access::kPull));
    if (flags.list_tags) {
      BURROW_TRY(auto tags, client->list_tags());
      for (const auto& tag : tags)
        if (static_cast<int>(rows.size()) < flags.limit)
          rows.push_back({{"Name", host + "/" + term}, {"Tag", tag}});
      continue;
    }
    BURROW_TRY(auto names, client->catalog(1000));
    for (const auto& name : names)
      if (name.find(term) != std::string::npos && static_cast<int>(rows.size()) < flags.limit)
        rows.push_back({{"Index", host},
                        {"Name", host + "/" + name},
                        {"Description", ""},
                        {"Stars", 0},
                        {"Official", ""},
                        {"Automated", ""}});
  }
  return rows;
}

Result<int> search(const SearchFlags& flags) {
  if (flags.list_tags && flags.term.find('/') == std::string::npos)
    return base::fail(EINVAL, "--list-tags needs a full image name: HOST/NAME");
  BURROW_TRY(auto rows, search_rows(flags));
  std::string format = flags.format;
  if (format.empty())
    format = flags.list_tags ? "table {{.Name}}\t{{.Tag}}" : "table {{.Name}}\t{{.Description}}";
  BURROW_TRY(Template tmpl, Template::parse(format));
  BURROW_TRY(std::string out, render_rows(tmpl, rows));
  std::cout << out;
  return 0;
}

void add_push(CLI::App& parent, Context& ctx) {
  if (!ctx.wanted(parent, "push")) return;
  auto flags = std::make_shared<PushFlags>();
  auto* cmd = parent.add_subcommand("push", "Push an image to a registry");
  add_registry_flags(*cmd, flags->registry, true);
  cmd->add_option("-f,--format", flags->format,
                  "Manifest format: oci or v2s2 (default: as stored)");
  cmd->add_option("--sign-by", flags->sign_by, "Sign the image with this GPG key");
  cmd->add_option("--digestfile", flags->digestfile, "Write the manifest digest to this file");
  cmd->add_flag("-q,--quiet", flags->quiet, "Show no progress");
  cmd->add_option("IMAGE [DESTINATION]", flags->args, "The image, then where to push it")
      ->required();
  one_value_per_use(*cmd);
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return push(ctx, *flags); }); });
}

void add_search(CLI::App& parent, Context& ctx) {
  if (!ctx.wanted(parent, "search")) return;
  auto flags = std::make_shared<SearchFlags>();
  auto* cmd = parent.add_subcommand("search", "Search registries for images");
  add_registry_flags(*cmd, flags->registry, true);
  cmd->add_option("--limit", flags->limit, "Show at most this many results");
  cmd->add_flag("--list-tags", flags->list_tags, "List the tags of the named image");
  cmd->add_flag("--no-trunc", flags->no_trunc, "Do not truncate descriptions");
  cmd->add_option("--format", flags->format, "Go template for each result");
  cmd->add_option("TERM", flags->term, "What to look for")->required();
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return search(*flags); }); });
}

}  // namespace

void add_push_commands(CLI::App& app, Context& ctx) {
  add_push(app, ctx);
  add_search(app, ctx);
  if (CLI::App* image = built_group(app, "image")) add_push(*image, ctx);
}

}  // namespace burrow::cli

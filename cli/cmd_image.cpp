// images, image ls/inspect/tag/rm, tag, rmi, inspect (images).
#include <fmt/core.h>

#include <iostream>
#include <set>

#include "cli/commands.h"
#include "cli/format.h"
#include "cli/image_json.h"
#include "engine/image_remove.h"
#include "engine/image_resolve.h"
#include "image/reference.h"

namespace burrow::cli {
namespace {

const std::map<std::string, std::string> kImageHeaders = {
    {"ID", "IMAGE ID"}, {"CreatedSince", "CREATED"}, {"CreatedAt", "CREATED AT"}};
constexpr const char* kImagesTable =
    "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

struct ImagesFlags {
  bool quiet = false;
  bool no_trunc = false;
  bool all = false;
  bool noheading = false;
  std::string format;
  std::string reference;  // `images busybox`: only the images it names
};

// Podman's `images NAME[:TAG]`: the repository matches (a short name by its
// trailing path components), and the tag only when one was given.
bool row_matches(const nlohmann::json& row, const std::string& wanted) {
  auto ref = image::parse_reference(wanted);
  if (!ref) return false;
  std::string repository = row["Repository"].get<std::string>();
  bool repo_match =
      ref->is_short_name()
          ? repository == ref->path || (repository.size() > ref->path.size() &&
                                        repository.compare(repository.size() - ref->path.size() - 1,
                                                           std::string::npos, "/" + ref->path) == 0)
          : repository == ref->name();
  size_t slash = wanted.rfind('/');
  bool tag_given = wanted.find(':', slash == std::string::npos ? 0 : slash) != std::string::npos;
  return repo_match && (!tag_given || row["Tag"].get<std::string>() == ref->tag);
}

Result<int> list_images(Context& ctx, const ImagesFlags& flags) {
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kReadOnly));
  BURROW_TRY(auto all_images, engine->images().list());
  std::vector<engine::ImageRecord> images;
  std::vector<nlohmann::json> rows;
  for (const auto& image : all_images) {
    bool wanted = flags.reference.empty();
    for (auto& row : image_rows({image}, flags.no_trunc)) {
      if (!flags.reference.empty() && !row_matches(row, flags.reference)) continue;
      rows.push_back(std::move(row));
      wanted = true;
    }
    if (wanted) images.push_back(image);
  }
  if (flags.quiet) {
    std::set<std::string> seen;
    for (const auto& image : images)
      if (seen.insert(image.id).second)
        std::cout << (flags.no_trunc ? "sha256:" + image.id : image.id.substr(0, 12)) << "\n";
    return 0;
  }
  std::string format = flags.format.empty() ? kImagesTable : flags.format;
  if (flags.noheading && format.rfind("table", 0) == 0) format = format.substr(5);
  BURROW_TRY(Template tmpl, Template::parse(format, kImageHeaders));
  BURROW_TRY(std::string out, render_rows(tmpl, rows));
  std::cout << out;
  return 0;
}

void add_images(CLI::App& app, Context& ctx, const std::string& name, const std::string& help) {
  auto flags = std::make_shared<ImagesFlags>();
  if (!ctx.wanted(app, name)) return;
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_flag("-q,--quiet", flags->quiet, "Display only image IDs");
  cmd->add_flag("--no-trunc", flags->no_trunc, "Do not truncate output");
  cmd->add_flag("-a,--all", flags->all, "Show all images (there are no intermediate images yet)");
  cmd->add_flag("-n,--noheading", flags->noheading, "Do not print column headings");
  cmd->add_option("--format", flags->format, "Go template, or 'table ...', or '{{json .}}'");
  cmd->add_option("IMAGE", flags->reference, "Show only images with this name[:tag]");
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return list_images(ctx, *flags); }); });
}

// A container or an image, as inspect shows both.
InspectedObject same_view(nlohmann::json object) {
  InspectedObject inspected{object, std::move(object)};
  return inspected;
}

// Podman's order for an object of any kind: container, image, network.
Result<InspectedObject> inspect_one(engine::Engine& engine, const std::string& name,
                                    InspectKind kind) {
  if (kind == InspectKind::kAny || kind == InspectKind::kContainer) {
    BURROW_TRY(auto container, inspect_container_json(engine, name));
    if (container) return same_view(std::move(*container));
    if (kind == InspectKind::kContainer)
      return base::failf(ENOENT, "no such container \"{}\"", name);
  }
  if (kind == InspectKind::kAny || kind == InspectKind::kImage) {
    auto image = engine::resolve_image(engine.images(), name);
    if (image) return same_view(inspect_image(*image, engine.paths()));
    if (kind == InspectKind::kImage || image.error().code != ENOENT)
      return tl::unexpected(image.error());
  }
  BURROW_TRY(auto network, inspect_network_json(engine, name));
  if (network) return std::move(*network);
  if (kind == InspectKind::kNetwork) return base::failf(ENOENT, "no such network \"{}\"", name);
  return base::failf(ENOENT, "no such object: \"{}\"", name);
}

Result<int> inspect(Context& ctx, const std::vector<std::string>& names, const std::string& format,
                    InspectKind kind) {
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kReadOnly));
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  std::vector<nlohmann::json> views;
  int exit_code = 0;
  for (const auto& name : names) {
    auto found = inspect_one(*engine, name, kind);
    if (!found) {
      exit_code = report_error(found.error());
      continue;
    }
    all.push_back(std::move(found->output));
    views.push_back(std::move(found->view));
  }
  if (format.empty() || format == "json") {
    std::cout << all.dump(4) << "\n";
    return exit_code;
  }
  BURROW_TRY(Template tmpl, Template::parse(format));
  BURROW_TRY(std::string out, render_rows(tmpl, views));
  std::cout << out;
  return exit_code;
}

}  // namespace

void add_inspect(CLI::App& app, Context& ctx, const std::string& name, const std::string& help,
                 InspectKind kind) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>();
  auto type = std::make_shared<std::string>();
  if (!ctx.wanted(app, name)) return;
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_option("-f,--format", *format, "Go template applied to each result");
  if (kind == InspectKind::kAny)
    cmd->add_option("-t,--type", *type, "Only this kind of object: container, image or network");
  cmd->add_option("NAME", *names, "Objects to inspect")->required();
  cmd->callback([&ctx, names, format, type, kind] {
    run_command(ctx, [&]() -> Result<int> {
      InspectKind chosen = kind;
      if (*type == "container")
        chosen = InspectKind::kContainer;
      else if (*type == "image")
        chosen = InspectKind::kImage;
      else if (*type == "network")
        chosen = InspectKind::kNetwork;
      else if (!type->empty() && *type != "all")
        return base::failf(EINVAL, "invalid --type \"{}\": use container, image, network or all",
                           *type);
      return inspect(ctx, *names, *format, chosen);
    });
  });
}

namespace {

Result<int> tag(Context& ctx, const std::vector<std::string>& args) {
  if (args.size() < 2) return base::fail(EINVAL, "tag requires an image and at least one new name");
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kReadOnly));
  for (size_t i = 1; i < args.size(); ++i)
    BURROW_CHECK(engine::tag_image(*engine, args[0], args[i]));
  return 0;
}

void add_tag(CLI::App& app, Context& ctx, const std::string& name) {
  auto args = std::make_shared<std::vector<std::string>>();
  if (!ctx.wanted(app, name)) return;
  auto* cmd = app.add_subcommand(name, "Add names to a local image");
  cmd->add_option("IMAGE TARGET_NAME", *args, "The image, then one or more new names")->required();
  cmd->callback([&ctx, args] { run_command(ctx, [&] { return tag(ctx, *args); }); });
}

Result<int> remove_images(Context& ctx, std::vector<std::string> inputs, bool all) {
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kModify));
  if (all) {
    BURROW_TRY(auto images, engine->images().list());
    for (const auto& image : images) inputs.push_back(image.id);
  }
  if (inputs.empty())
    return base::fail(EINVAL, "image name or ID must be specified (or use --all)");
  int exit_code = 0;
  for (const auto& input : inputs) {
    auto report = engine::remove_image(*engine, input);
    if (!report) {
      exit_code = report_error(report.error());
      continue;
    }
    for (const auto& name : report->untagged) std::cout << "Untagged: " << name << "\n";
    for (const auto& id : report->deleted) std::cout << "Deleted: " << id << "\n";
  }
  // Podman exits 1 when an image was not found and 2 when one is in use; a
  // single engine error code keeps scripts' "did it fail" checks working.
  return exit_code;
}

void add_rmi(CLI::App& app, Context& ctx, const std::string& name) {
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto all = std::make_shared<bool>(false);
  auto force = std::make_shared<bool>(false);
  if (!ctx.wanted(app, name)) return;
  auto* cmd = app.add_subcommand(name, "Remove one or more local images");
  cmd->add_flag("-a,--all", *all, "Remove all images");
  cmd->add_flag("-f,--force", *force, "Accepted for compatibility");
  cmd->add_option("IMAGE", *inputs, "Images to remove");
  cmd->callback(
      [&ctx, inputs, all] { run_command(ctx, [&] { return remove_images(ctx, *inputs, *all); }); });
}

}  // namespace

void add_image_commands(CLI::App& app, Context& ctx) {
  add_images(app, ctx, "images", "List images in local storage");
  add_rmi(app, ctx, "rmi");
  add_tag(app, ctx, "tag");
  add_inspect(app, ctx, "inspect", "Display the configuration of containers, images or networks",
              InspectKind::kAny);
  if (!ctx.wanted(app, "image")) return;
  auto* image = app.add_subcommand("image", "Manage images");
  image->require_subcommand(1);
  add_images(*image, ctx, "ls", "List images in local storage");
  add_images(*image, ctx, "list", "List images in local storage");
  add_inspect(*image, ctx, "inspect", "Display the configuration of images", InspectKind::kImage);
  add_tag(*image, ctx, "tag");
  add_rmi(*image, ctx, "rm");
  add_load(*image, ctx);
  add_import(*image, ctx);
}

}  // namespace burrow::cli

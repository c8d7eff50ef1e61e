// save (and image save); history (and image history); image tree; image prune.
#include <fmt/core.h>
#include <unistd.h>

#include <csignal>
#include <ctime>
#include <iostream>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "engine/image_history.h"
#include "engine/image_prune.h"
#include "engine/image_resolve.h"
#include "engine/image_save.h"
#include "image/timestamps.h"

namespace burrow::cli {
namespace {

// Go's units.HumanSizeWithPrecision, which history and tree use: decimal
// units, `digits` significant digits, no space ("4.41MB", "0B").
std::string compact_size(int64_t bytes, int digits) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1000.0 && unit < 5) {
    value /= 1000.0;
    ++unit;
  }
  return fmt::format("{:.{}g}{}", value, digits, kUnits[unit]);
}

// ---- save -------------------------------------------------------------------

struct SaveFlags {
  std::string output;
  std::string format = "docker-archive";
  bool multi_image = false;
  bool quiet = false;
  bool uncompressed = false;
  std::vector<std::string> images;
};

Result<int> save(Context& ctx, const SaveFlags& flags) {
  engine::SaveOptions options;
  BURROW_TRY(options.format, engine::parse_save_format(flags.format));
  options.images = flags.images;
  options.multi_image = flags.multi_image;
  options.uncompressed = flags.uncompressed;
  bool to_stdout = flags.output.empty() || flags.output == "-";
  if (to_stdout && options.format == engine::SaveFormat::kOciDir)
    return base::fail(EINVAL, "--format oci-dir writes a directory: name it with -o DIR");
  if (to_stdout && ::isatty(STDOUT_FILENO))
    return base::fail(EINVAL, "refusing to save to terminal. Use -o flag or redirect");
  // A reader that goes away (`save | head`) is an error to report, not a signal to die of.
  ::signal(SIGPIPE, SIG_IGN);
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kReadOnly));
  if (to_stdout) {
    BURROW_CHECK(engine::save_images_to_fd(*engine, options, STDOUT_FILENO));
  } else {
    BURROW_CHECK(engine::save_images_to_path(*engine, options, flags.output));
  }
  return 0;
}

void add_save(CLI::App& parent, Context& ctx) {
  auto flags = std::make_shared<SaveFlags>();
  if (!ctx.wanted(parent, "save")) return;
  auto* cmd = parent.add_subcommand("save", "Save images to an archive or an OCI layout directory");
  cmd->add_option("-o,--output", flags->output, "Write to this file (or directory for oci-dir)");
  cmd->add_option("--format", flags->format, "docker-archive (default), oci-archive or oci-dir");
  cmd->add_flag("-m,--multi-image-archive", flags->multi_image,
                "Save several images (docker-archive); otherwise extra names are tags");
  cmd->add_flag("-q,--quiet", flags->quiet, "Suppress progress output");
  cmd->add_flag("--uncompressed", flags->uncompressed,
                "Leave the layers of the OCI formats uncompressed");
  cmd->add_option("IMAGE", flags->images, "Images to save")->required();
  one_value_per_use(*cmd);
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return save(ctx, *flags); }); });
}

// ---- history ----------------------------------------------------------------

const std::map<std::string, std::string> kHistoryHeaders = {
    {"CreatedBy", "CREATED BY"}, {"CreatedAt", "CREATED AT"}, {"CreatedSince", "CREATED"}};
constexpr const char* kHistoryTable =
    "table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
// Podman's CREATED BY column width.
constexpr size_t kCreatedByWidth = 45;

struct HistoryFlags {
  std::string image;
  std::string format;
  bool no_trunc = false;
  bool quiet = false;
  bool human = true;
};

nlohmann::json history_row(const engine::HistoryRow& row, const HistoryFlags& flags) {
  std::string id = row.id.empty() ? "<missing>" : flags.no_trunc ? row.id : row.id.substr(0, 12);
  std::string created_at = row.created ? image::format_rfc3339({*row.created, 0}) : "";
  std::string since =
      row.created ? base::human_duration_ago(static_cast<int64_t>(::time(nullptr)) - *row.created)
                  : "";
  std::string created_by = row.created_by;
  if (!flags.no_trunc && created_by.size() > kCreatedByWidth)
    created_by = created_by.substr(0, kCreatedByWidth - 3) + "...";
  return {{"ID", id},
          {"Created", flags.human ? since : created_at},
          {"CreatedAt", created_at},
          {"CreatedSince", since},
          {"CreatedBy", created_by},
          {"Size", flags.human ? compact_size(row.size, 3) : std::to_string(row.size)},
          {"Comment", row.comment},
          {"Tags", row.tags}};
}

Result<int> history(Context& ctx, const HistoryFlags& flags) {
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kReadOnly));
  BURROW_TRY(engine::ImageRecord image, engine::resolve_image(engine->images(), flags.image));
  BURROW_TRY(auto entries, engine::image_history(*engine, image));
  std::vector<nlohmann::json> rows;
  for (const auto& entry : entries) rows.push_back(history_row(entry, flags));
  if (flags.quiet) {
    for (const auto& row : rows) std::cout << row["ID"].get<std::string>() << "\n";
    return 0;
  }
  std::string format = flags.format.empty() ? kHistoryTable : flags.format;
  if (format == "json") format = "{{json .}}";
  BURROW_TRY(Template tmpl, Template::parse(format, kHistoryHeaders));
  BURROW_TRY(std::string out, render_rows(tmpl, rows));
  std::cout << out;
  return 0;
}

void add_history(CLI::App& parent, Context& ctx) {
  auto flags = std::make_shared<HistoryFlags>();
  if (!ctx.wanted(parent, "history")) return;
  auto* cmd = parent.add_subcommand("history", "Show the history of an image");
  cmd->add_flag("--no-trunc,--notruncate", flags->no_trunc, "Do not truncate the output");
  cmd->add_flag("-q,--quiet", flags->quiet, "Print the IDs only");
  cmd->add_flag("-H,--human", flags->human,
                "Sizes and dates in human readable form (default true; --human=false for "
                "bytes and timestamps)");
  cmd->add_option("--format", flags->format, "Go template, or 'table ...', or 'json'");
  cmd->add_option("IMAGE", flags->image, "The image")->required();
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return history(ctx, *flags); }); });
}

// ---- tree -------------------------------------------------------------------

std::string go_list(const std::vector<std::string>& items) {
  return "[" + base::join(items, " ") + "]";
}

std::string layer_line(const engine::TreeLayer& layer) {
  std::string line =
      fmt::format(" ID: {} Size: {:>7}", layer.diff_id.substr(7, 12), compact_size(layer.size, 4));
  if (!layer.top_of.empty()) line += " Top Layer of: " + go_list(layer.top_of);
  return line;
}

// gotree's drawing, which Podman's tree uses: "├── " and "└── " before each
// child, "│   " or "    " before the lines of its own children.
void draw(const std::vector<engine::TreeLayer>& layers, const std::string& indent,
          std::string& out) {
  for (size_t i = 0; i < layers.size(); ++i) {
    bool last = i + 1 == layers.size();
    out += indent + (last ? "└── " : "├── ") + layer_line(layers[i]) + "\n";
    draw(layers[i].children, indent + (last ? "    " : "│   "), out);
  }
}

Result<int> tree(Context& ctx, const std::string& name, bool what_requires) {
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kReadOnly));
  BURROW_TRY(engine::ImageRecord image, engine::resolve_image(engine->images(), name));
  std::string out =
      fmt::format("Image ID: {}\nTags:     {}\nSize:     {}\n", image.id.substr(0, 12),
                  go_list(image.names), compact_size(image.size, 4));
  if (what_requires) {
    BURROW_TRY(auto children, engine::dependent_layers(*engine, image));
    draw(children, "", out);
  } else {
    BURROW_TRY(auto layers, engine::image_layers(*engine, image));
    if (!layers.empty()) out += "Image Layers\n";
    draw(layers, "", out);
  }
  std::cout << out;
  return 0;
}

void add_tree(CLI::App& image, Context& ctx) {
  auto name = std::make_shared<std::string>();
  auto what_requires = std::make_shared<bool>(false);
  if (!ctx.wanted(image, "tree")) return;
  auto* cmd = image.add_subcommand("tree", "Print the layer hierarchy of an image as a tree");
  cmd->add_flag("--whatrequires", *what_requires, "Show the images and layers built on this one");
  cmd->add_option("IMAGE", *name, "The image")->required();
  cmd->callback([&ctx, name, what_requires] {
    run_command(ctx, [&] { return tree(ctx, *name, *what_requires); });
  });
}

// ---- prune ------------------------------------------------------------------

struct ImagePruneFlags {
  bool all = false;
  bool force = false;
  std::vector<std::string> filters;
};

Result<int> prune(Context& ctx, const ImagePruneFlags& flags) {
  std::string warning = flags.all ? "WARNING! This command removes all images without at least "
                                    "one container associated with them.\n"
                                  : "WARNING! This command removes all dangling images.\n";
  if (!flags.force && !confirm(warning)) return 0;
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kModify));
  BURROW_TRY(auto report, engine::prune_images(*engine, {flags.all, flags.filters}));
  for (const auto& id : report.removed) std::cout << id << "\n";
  std::cout << std::flush;
  int exit_code = 0;
  for (const auto& error : report.errors) exit_code = report_error(error);
  return exit_code;
}

void add_prune(CLI::App& image, Context& ctx) {
  auto flags = std::make_shared<ImagePruneFlags>();
  if (!ctx.wanted(image, "prune")) return;
  auto* cmd = image.add_subcommand("prune", "Remove dangling images (with -a, all unused ones)");
  cmd->add_flag("-a,--all", flags->all, "Remove every image no container uses");
  cmd->add_flag("-f,--force", flags->force, "Do not prompt for confirmation");
  cmd->add_option("--filter", flags->filters, "Filter: until=TIME, label=KEY[=VALUE], label!=...");
  one_value_per_use(*cmd);
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return prune(ctx, *flags); }); });
}

}  // namespace

void add_save_commands(CLI::App& app, Context& ctx) {
  add_save(app, ctx);
  add_history(app, ctx);
  CLI::App* image = built_group(app, "image");
  if (image == nullptr) return;
  add_save(*image, ctx);
  add_history(*image, ctx);
  add_tree(*image, ctx);
  add_prune(*image, ctx);
}

}  // namespace burrow::cli

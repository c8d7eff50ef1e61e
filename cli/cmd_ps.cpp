// ps (container ls/list): the containers, filtered and formatted.
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/container_json.h"
#include "cli/format.h"
#include "engine/container_config.h"
#include "engine/container_state.h"
#include "engine/network_store.h"

namespace burrow::cli {
namespace {

using engine::Access;

struct PsFlags {
  bool all = false, quiet = false, no_trunc = false, latest = false, noheading = false;
  std::vector<std::string> filters;
  std::string format;
  std::optional<int> last;
};

// Whether one KEY=VALUE filter matches the container.
Result<bool> matches_filter(const engine::ContainerRecord& c, const engine::StoredConfig& stored,
                            const std::optional<engine::HealthState>& health,
                            const std::string& key, const std::string& value) {
  if (key == "name") return c.name.find(value) != std::string::npos;
  if (key == "id") return c.id.rfind(value, 0) == 0;
  if (key == "status") return c.state == value || (value == "stopped" && c.state == "exited");
  if (key == "ancestor")
    return c.image_name == value || c.image_id.rfind(value, 0) == 0 ||
           c.image_name.rfind(value + ":", 0) == 0 || c.image_name == "localhost/" + value ||
           c.image_name.rfind("localhost/" + value + ":", 0) == 0;
  if (key == "label") {
    for (const auto& label : stored.options.labels)
      if (label == value || label.rfind(value + "=", 0) == 0) return true;
    return false;
  }
  if (key == "exited")
    return c.state == "exited" && std::to_string(c.exit_code.value_or(0)) == value;
  if (key == "health") return health ? health->status == value : value == "none";
  if (key == "network") {
    for (const auto& attachment : stored.options.network.networks)
      if (attachment.network == value) return true;
    return false;
  }
  return base::failf(EINVAL,
                     "invalid filter \"{}={}\": use name, id, status, ancestor, label, exited, "
                     "health or network",
                     key, value);
}

// As in Podman: filters with the same key match if any of their values
// does, except label, whose values must all match; different keys must all
// match.
Result<bool> matches_filters(const engine::ContainerRecord& c, const engine::StoredConfig& stored,
                             const std::vector<std::string>& filters,
                             const std::optional<engine::HealthState>& health) {
  std::map<std::string, bool> any_matched;  // per key, except label
  for (const auto& filter : filters) {
    auto eq = filter.find('=');
    if (eq == std::string::npos)
      return base::failf(EINVAL, "invalid filter \"{}\": use KEY=VALUE", filter);
    std::string key = filter.substr(0, eq);
    BURROW_TRY(bool match, matches_filter(c, stored, health, key, filter.substr(eq + 1)));
    if (key == "label" && !match) return false;
    if (key != "label") any_matched[key] = any_matched[key] || match;
  }
  for (const auto& [key, matched] : any_matched)
    if (!matched) return false;
  return true;
}

// network= takes a network's name or ID, as Podman's does; containers
// record the name, so an ID becomes the name it has. An unknown network
// matches nothing.
std::vector<std::string> with_network_names(const engine::Engine& engine,
                                            std::vector<std::string> filters) {
  static const std::string kKey = "network=";
  engine::NetworkStore networks(engine.paths());
  for (auto& filter : filters) {
    if (filter.rfind(kKey, 0) != 0) continue;
    if (auto network = networks.find(filter.substr(kKey.size()))) filter = kKey + network->name;
  }
  return filters;
}

Result<int> ps(Context& ctx, const PsFlags& flags) {
  BURROW_TRY(auto engine, ctx.open_engine(Access::kReadOnly));
  std::vector<std::string> filters = with_network_names(*engine, flags.filters);
  engine::ContainerStore store(engine->db());
  BURROW_TRY(auto records, store.list());
  std::vector<nlohmann::json> rows;
  int limit = flags.latest ? 1 : flags.last.value_or(-1);
  for (auto record : records) {
    record = engine::observed(engine->paths(), std::move(record));
    bool running = engine::is_active(record.state);
    bool listed = flags.all || running || !flags.filters.empty() || limit >= 0;
    if (!listed) continue;
    // A row an older burrow wrote still lists, with what the row itself has.
    engine::StoredConfig stored = engine::stored_config(record).value_or(engine::StoredConfig{});
    auto health = running_health(engine->paths(), record, stored);
    BURROW_TRY(bool match, matches_filters(record, stored, filters, health));
    if (!match) continue;
    if (limit >= 0 && static_cast<int>(rows.size()) >= limit) break;
    rows.push_back(container_row(record, stored, flags.no_trunc, health));
  }
  if (flags.quiet) {
    for (const auto& row : rows) std::cout << row["ID"].get<std::string>() << "\n";
    return 0;
  }
  std::string format = flags.format;
  if (format == "json") {
    std::cout << nlohmann::json(rows).dump(4) << "\n";
    return 0;
  }
  if (format.empty())
    format =
        "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}"
        "\t{{.Names}}";
  BURROW_TRY(Template tmpl, Template::parse(format, {{"ID", "CONTAINER ID"},
                                                     {"CreatedHuman", "CREATED"},
                                                     {"RunningFor", "CREATED"}}));
  if (flags.noheading && tmpl.is_table()) {
    BURROW_TRY(tmpl, Template::parse(format.substr(format.find(' ') + 1)));
  }
  BURROW_TRY(std::string out, render_rows(tmpl, rows));
  std::cout << out;
  return 0;
}

}  // namespace

void add_ps(CLI::App& app, Context& ctx, const std::string& name) {
  auto flags = std::make_shared<PsFlags>();
  if (!ctx.wanted(app, name)) return;
  auto* cmd = app.add_subcommand(name, "List containers");
  cmd->add_flag("-a,--all", flags->all, "Show all containers, not only running ones");
  cmd->add_flag("-q,--quiet", flags->quiet, "Print only the container IDs");
  cmd->add_flag("--no-trunc", flags->no_trunc, "Do not truncate IDs");
  cmd->add_flag("-l,--latest", flags->latest, "Only the most recently created container");
  cmd->add_option("-n,--last", flags->last, "Only the N most recently created containers");
  cmd->add_flag("--noheading", flags->noheading, "Do not print column headings");
  cmd->add_option("-f,--filter", flags->filters,
                  "Filter: name=, id=, status=, ancestor=, label=, exited=, health=");
  cmd->add_option("--format", flags->format, "Go template, 'table ...', '{{json .}}' or json");
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return ps(ctx, *flags); }); });
}

}  // namespace burrow::cli

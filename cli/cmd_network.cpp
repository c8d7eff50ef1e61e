// network create, ls (list), inspect, rm, prune and exists. Networks are
// files in the graph root, so every command but `rm -f` (which removes
// containers) works without entering the user namespace.
#include <fmt/core.h>

#include <algorithm>
#include <ctime>
#include <iostream>

#include "base/clock.h"
#include "base/log.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "engine/network_store.h"

namespace burrow::cli {
namespace {

using engine::Access;

// ---- the views --format sees ----------------------------------------------

// Go's time.Time.String() in UTC, which Podman's {{.Created}} prints:
// "2024-05-01 12:00:00.123456789 +0000 UTC".
std::string go_time_string(int64_t ns) {
  time_t seconds = static_cast<time_t>(ns / base::kNanosPerSecond);
  tm utc{};
  ::gmtime_r(&seconds, &utc);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &utc);
  std::string fraction = fmt::format("{:09d}", ns % base::kNanosPerSecond);
  fraction.erase(fraction.find_last_not_of('0') + 1);
  return fmt::format("{}{}{} +0000 UTC", date, fraction.empty() ? "" : ".", fraction);
}

// The fields by their Go names ({{.Name}}, {{.NetworkInterface}}), each
// holding what Podman's JSON holds for it.
nlohmann::json template_view(const net::Network& network) {
  nlohmann::json stored = net::network_json(network);
  return {{"Name", network.name},
          {"ID", network.id},
          {"Driver", network.driver},
          {"NetworkInterface", network.network_interface},
          {"Created", go_time_string(engine::network_created_ns(network))},
          {"Subnets", stored["subnets"]},
          {"IPv6Enabled", network.ipv6_enabled},
          {"Internal", network.internal},
          {"DNSEnabled", network.dns_enabled},
          {"Labels", network.labels},
          {"Options", network.options},
          {"IPAMOptions", network.ipam_options}};
}

bool is_json_format(const std::string& format) {
  std::string_view trimmed = base::trim(format);
  return trimmed == "json" || trimmed == "{{json .}}" || trimmed == "{{ json . }}";
}

nlohmann::ordered_json json_array(const std::vector<net::Network>& networks) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& network : networks) all.push_back(net::network_json(network));
  return all;
}

}  // namespace

Result<std::optional<InspectedObject>> inspect_network_json(engine::Engine& engine,
                                                            const std::string& reference) {
  engine::NetworkStore store(engine.paths());
  auto network = store.find(reference);
  if (!network && network.error().code == ENOENT) return std::nullopt;
  if (!network) return tl::unexpected(network.error());
  return InspectedObject{net::network_json(*network), template_view(*network)};
}

namespace {

// ---- create -----------------------------------------------------------------

struct CreateFlags {
  net::NetworkRequest request;
  std::string ipam_driver;
};

Result<int> create(Context& ctx, const CreateFlags& flags) {
  if (!flags.ipam_driver.empty() && flags.ipam_driver != "host-local")
    return base::failf(EINVAL, "unsupported --ipam-driver \"{}\": use host-local",
                       flags.ipam_driver);
  BURROW_TRY(auto engine, ctx.open_engine(Access::kReadOnly));
  engine::NetworkStore store(engine->paths());
  BURROW_TRY(net::Network network, store.create(flags.request));
  std::cout << network.name << "\n";
  return 0;
}

void add_create(CLI::App& network, Context& ctx) {
  auto flags = std::make_shared<CreateFlags>();
  if (!ctx.wanted(network, "create")) return;
  auto& r = flags->request;
  auto* cmd = network.add_subcommand("create", "Create a bridge network");
  cmd->add_option("-d,--driver", r.driver, "Driver: bridge (the only one so far)");
  cmd->add_option("--subnet", r.subnets, "Subnet in CIDR form, IPv4 or IPv6 (repeatable)");
  cmd->add_option("--gateway", r.gateways, "Gateway of the subnet given in the same position");
  cmd->add_option("--ip-range", r.ip_ranges,
                  "Allocate container addresses from this CIDR range of the subnet");
  cmd->add_flag("--internal", r.internal, "No route out of the network");
  cmd->add_flag("--ipv6", r.ipv6, "Add an IPv6 subnet (a random unique-local /64 if none given)");
  cmd->add_option("--label", r.labels, "Label KEY[=VALUE] (repeatable)");
  cmd->add_option("-o,--opt", r.options, "Driver option: mtu=N, vlan=ID, isolate=BOOL");
  cmd->add_flag("--disable-dns", r.disable_dns, "No DNS server (aardvark-dns) on the network");
  cmd->add_option("--interface-name", r.interface_name,
                  "Name of the bridge interface (default podmanN)");
  cmd->add_option("--ipam-driver", flags->ipam_driver, "IP address management: host-local");
  cmd->add_option("NAME", r.name, "Name of the network (default podmanN)");
  one_value_per_use(*cmd);
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return create(ctx, *flags); }); });
}

// ---- ls ---------------------------------------------------------------------

const std::map<std::string, std::string> kListHeaders = {{"ID", "NETWORK ID"},
                                                         {"NetworkInterface", "NETWORK INTERFACE"},
                                                         {"IPv6Enabled", "IPV6 ENABLED"},
                                                         {"DNSEnabled", "DNS ENABLED"},
                                                         {"IPAMOptions", "IPAM OPTIONS"}};
constexpr const char* kListTable = "table {{.ID}}\t{{.Name}}\t{{.Driver}}";

struct ListFlags {
  bool quiet = false;
  bool no_trunc = false;
  bool noheading = false;
  std::string format;
  std::vector<std::string> filters;
};

// A damaged file does not stop a listing; it is named once, with the fix.
void warn_damaged(const engine::NetworkList& list) {
  for (const auto& damaged : list.damaged)
    base::warn("skipping network file {}: {} (remove it with `burrow network rm {}`)", damaged.path,
               damaged.error.message, damaged.name);
}

// ls shows Labels as "a=b,c=" (Podman's list report), and a short ID.
nlohmann::json list_row(const net::Network& network, bool no_trunc) {
  nlohmann::json row = template_view(network);
  std::vector<std::string> labels;
  for (const auto& [key, value] : network.labels) labels.push_back(key + "=" + value);
  row["Labels"] = base::join(labels, ",");
  if (!no_trunc) row["ID"] = network.id.substr(0, 12);
  return row;
}

Result<int> list(Context& ctx, const ListFlags& flags) {
  BURROW_TRY(auto engine, ctx.open_engine(Access::kReadOnly));
  BURROW_TRY(engine::NetworkList all, engine::NetworkStore(engine->paths()).list());
  warn_damaged(all);
  BURROW_TRY(auto networks, engine::filter_networks(*engine, all.networks, flags.filters));
  // Podman lists by name.
  std::sort(networks.begin(), networks.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  if (flags.quiet) {
    for (const auto& network : networks) std::cout << network.name << "\n";
    return 0;
  }
  if (is_json_format(flags.format)) {
    std::cout << json_array(networks).dump(2) << "\n";
    return 0;
  }
  BURROW_TRY(Template tmpl,
             Template::parse(flags.format.empty() ? kListTable : flags.format, kListHeaders));
  std::vector<nlohmann::json> rows;
  for (const auto& network : networks) rows.push_back(list_row(network, flags.no_trunc));
  BURROW_TRY(std::string out, render_rows(tmpl, rows));
  // The columns stay as wide as with the heading, as Podman's do.
  if (flags.noheading && tmpl.is_table()) out.erase(0, out.find('\n') + 1);
  std::cout << out;
  return 0;
}

void add_list(CLI::App& network, Context& ctx, const std::string& name) {
  auto flags = std::make_shared<ListFlags>();
  if (!ctx.wanted(network, name)) return;
  auto* cmd = network.add_subcommand(name, "List networks");
  cmd->add_flag("-q,--quiet", flags->quiet, "Print the names only");
  cmd->add_flag("--no-trunc", flags->no_trunc, "Do not truncate the network IDs");
  cmd->add_flag("-n,--noheading", flags->noheading, "Do not print column headings");
  cmd->add_option("--format", flags->format, "Go template, or 'table ...', or 'json'");
  cmd->add_option("-f,--filter", flags->filters,
                  "Filter: name=, id=, driver=, label=, label!=, until=, dangling=");
  one_value_per_use(*cmd);
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return list(ctx, *flags); }); });
}

// ---- inspect ----------------------------------------------------------------

Result<int> inspect(Context& ctx, const std::vector<std::string>& names,
                    const std::string& format) {
  BURROW_TRY(auto engine, ctx.open_engine(Access::kReadOnly));
  engine::NetworkStore store(engine->paths());
  std::vector<net::Network> found;
  int exit_code = 0;
  for (const auto& name : names) {
    auto network = store.find(name);
    if (network)
      found.push_back(std::move(*network));
    else
      exit_code = report_error(network.error());
  }
  if (format.empty() || is_json_format(format)) {
    // Podman indents network JSON by five spaces, here as in the files.
    std::cout << json_array(found).dump(5) << "\n";
    return exit_code;
  }
  BURROW_TRY(Template tmpl, Template::parse(format));
  std::vector<nlohmann::json> views;
  for (const auto& network : found) views.push_back(template_view(network));
  BURROW_TRY(std::string out, render_rows(tmpl, views));
  std::cout << out;
  return exit_code;
}

void add_inspect_network(CLI::App& network, Context& ctx) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>();
  if (!ctx.wanted(network, "inspect")) return;
  auto* cmd = network.add_subcommand("inspect", "Display the configuration of networks");
  cmd->add_option("-f,--format", *format, "Go template applied to each network, or 'json'");
  cmd->add_option("NETWORK", *names, "Networks, by name or ID")->required();
  cmd->callback(
      [&ctx, names, format] { run_command(ctx, [&] { return inspect(ctx, *names, *format); }); });
}

// ---- rm -----------------------------------------------------------------------

// Podman's network rm exit codes: 1 for a network that does not exist, 2
// for one in use, 125 for anything else.
int rm_exit_code(const Error& error) {
  if (error.code == ENOENT) return 1;
  return error.exit_status ? error.exit_status : kExitEngineError;
}

Result<int> remove(Context& ctx, const std::vector<std::string>& names, bool force) {
  // Removing the containers of a network needs their mounts, in the keeper's namespace.
  BURROW_TRY(auto engine, ctx.open_engine(force ? Access::kModify : Access::kReadOnly));
  int exit_code = 0;
  for (const auto& name : names) {
    auto removed = engine::remove_network(*engine, name, force);
    if (removed) {
      std::cout << name << std::endl;
      continue;
    }
    report_error(removed.error());
    exit_code = rm_exit_code(removed.error());
  }
  return exit_code;
}

void add_rm(CLI::App& network, Context& ctx, const std::string& name) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto force = std::make_shared<bool>(false);
  if (!ctx.wanted(network, name)) return;
  auto* cmd = network.add_subcommand(name, "Remove networks");
  cmd->add_flag("-f,--force", *force, "Also remove the containers that use them");
  cmd->add_option("NETWORK", *names, "Networks, by name or ID")->required();
  cmd->callback(
      [&ctx, names, force] { run_command(ctx, [&] { return remove(ctx, *names, *force); }); });
}

// ---- prune --------------------------------------------------------------------

struct PruneFlags {
  bool force = false;
  std::vector<std::string> filters;
};

Result<int> prune(Context& ctx, const PruneFlags& flags) {
  if (!flags.force &&
      !confirm("WARNING! This will remove all networks not used by at least one container.\n"))
    return 0;
  BURROW_TRY(auto engine, ctx.open_engine(Access::kReadOnly));
  BURROW_TRY(auto report, engine::prune_networks(*engine, flags.filters));
  for (const auto& name : report.removed) std::cout << name << "\n";
  std::cout << std::flush;
  int exit_code = 0;
  for (const auto& error : report.errors) exit_code = report_error(error);
  return exit_code;
}

void add_prune(CLI::App& network, Context& ctx) {
  auto flags = std::make_shared<PruneFlags>();
  if (!ctx.wanted(network, "prune")) return;
  auto* cmd = network.add_subcommand("prune", "Remove the networks no container uses");
  cmd->add_flag("-f,--force", flags->force, "Do not prompt for confirmation");
  cmd->add_option("--filter", flags->filters, "Filter: until=TIME, label=KEY[=VALUE], label!=...");
  one_value_per_use(*cmd);
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return prune(ctx, *flags); }); });
}

// ---- exists -------------------------------------------------------------------

Result<int> exists(Context& ctx, const std::string& name) {
  BURROW_TRY(auto engine, ctx.open_engine(Access::kReadOnly));
  auto network = engine::NetworkStore(engine->paths()).find(name);
  if (network) return 0;
  if (network.error().code == ENOENT) return 1;
  return tl::unexpected(network.error());
}

void add_exists(CLI::App& network, Context& ctx) {
  auto name = std::make_shared<std::string>();
  if (!ctx.wanted(network, "exists")) return;
  auto* cmd = network.add_subcommand("exists", "Exit 0 if the network exists, 1 if it does not");
  cmd->add_option("NETWORK", *name, "Network, by name or ID")->required();
  cmd->callback([&ctx, name] { run_command(ctx, [&] { return exists(ctx, *name); }); });
}

}  // namespace

void add_network_commands(CLI::App& app, Context& ctx) {
  if (!ctx.wanted(app, "network")) return;
  auto* network = app.add_subcommand("network", "Manage networks");
  network->require_subcommand(1);
  add_create(*network, ctx);
  add_list(*network, ctx, "ls");
  add_list(*network, ctx, "list");
  add_inspect_network(*network, ctx);
  add_rm(*network, ctx, "rm");
  add_rm(*network, ctx, "remove");
  add_prune(*network, ctx);
  add_exists(*network, ctx);
  add_network_connect_commands(*network, ctx);
}

}  // namespace burrow::cli

#include "cli/container_json.h"

#include <fmt/core.h>

#include <cstdlib>
#include <ctime>

#include "base/clock.h"
#include "base/file_util.h"
#include "base/strings.h"
#include "engine/container_network.h"
#include "engine/container_state.h"
#include "engine/spec_build.h"
#include "image/timestamps.h"

namespace burrow::cli {
namespace {

using nlohmann::json;

int64_t now() { return static_cast<int64_t>(::time(nullptr)); }

// Podman's ps JSON has Unix seconds where the record has nanoseconds.
int64_t seconds(int64_t ns) { return ns / base::kNanosPerSecond; }

// Go's zero time, which Podman shows for times that have not happened.
constexpr const char* kZeroTime = "0001-01-01T00:00:00Z";

// RFC 3339 with nanoseconds, as Podman's inspect shows times.
std::string time_text(const std::optional<int64_t>& ns) {
  if (!ns || *ns <= 0) return kZeroTime;
  return image::format_rfc3339(
      {*ns / base::kNanosPerSecond, static_cast<int32_t>(*ns % base::kNanosPerSecond)});
}

json labels_object(const std::vector<std::string>& labels) {
  json out = json::object();
  for (const auto& label : labels) {
    auto eq = label.find('=');
    out[label.substr(0, eq)] = eq == std::string::npos ? "" : label.substr(eq + 1);
  }
  return out;
}

// Docker's form of a healthcheck config, durations in nanoseconds.
json healthcheck_config_json(const engine::HealthConfig& h) {
  json out = {{"Test", h.test}, {"Timeout", h.timeout_ns}, {"Retries", h.retries}};
  if (h.interval_ns) out["Interval"] = h.interval_ns;
  if (h.start_period_ns) out["StartPeriod"] = h.start_period_ns;
  return out;
}

// State.Health: Podman shows it for every container, empty without a check.
json inspect_health(const engine::StorePaths& paths, const engine::ContainerRecord& c,
                    const engine::StoredConfig& stored) {
  auto state = engine::read_health_state(paths, c.id);
  if (!state && stored.options.healthcheck && engine::is_active(c.state))
    state = engine::HealthState{};
  if (!state) return {{"Status", ""}, {"FailingStreak", 0}, {"Log", nullptr}};
  return engine::health_state_json(*state);
}

}  // namespace

std::optional<engine::HealthState> running_health(const engine::StorePaths& paths,
                                                  const engine::ContainerRecord& c,
                                                  const engine::StoredConfig& stored) {
  if (!engine::is_active(c.state)) return std::nullopt;
  return engine::observed_health(paths, c.id, stored.options.healthcheck);
}

std::string container_status(const engine::ContainerRecord& c,
                             const std::optional<engine::HealthState>& health) {
  if (c.state == "running" || c.state == "stopping")
    return "Up " +
           base::human_duration_ago(now() - seconds(c.started_ns.value_or(base::unix_now_ns()))) +
           (health ? " (" + health->status + ")" : "");
  if (c.state == "exited")
    return fmt::format(
        "Exited ({}) {}", c.exit_code.value_or(0),
        base::human_duration_ago(now() - seconds(c.finished_ns.value_or(base::unix_now_ns()))));
  if (c.state == "paused") return "Paused";
  return "Created";
}

// IPv6 addresses in brackets, as in `port` and in URLs.
std::string host_ip_text(const engine::PortMapping& p) {
  if (p.host_ip.empty()) return "0.0.0.0";
  return p.host_ip.find(':') == std::string::npos ? p.host_ip : "[" + p.host_ip + "]";
}

// ps's Ports column: "0.0.0.0:8080->80/tcp, ...".
std::string ports_text(const std::vector<engine::PortMapping>& ports) {
  std::vector<std::string> parts;
  for (const auto& p : ports)
    parts.push_back(
        fmt::format("{}:{}->{}/{}", host_ip_text(p), p.host_port, p.container_port, p.protocol));
  return base::join(parts, ", ");
}

// {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}, as Docker and Podman
// show PortBindings and NetworkSettings.Ports.
json port_bindings(const std::vector<engine::PortMapping>& ports) {
  json out = json::object();
  for (const auto& p : ports) {
    std::string key = fmt::format("{}/{}", p.container_port, p.protocol);
    if (!out.contains(key)) out[key] = json::array();
    out[key].push_back({{"HostIp", p.host_ip}, {"HostPort", std::to_string(p.host_port)}});
  }
  return out;
}

// "10.89.0.2/24" -> 24 (0 without a prefix).
int prefix_length(const std::string& cidr) {
  size_t slash = cidr.find('/');
  return slash == std::string::npos ? 0 : std::atoi(cidr.c_str() + slash + 1);
}

// One entry of NetworkSettings.Networks: what the container has on that
// network while it runs, the names it was given always.
json bridge_network_json(const std::string& container_id, const net::NetworkAttachment& wanted,
                         const engine::BridgeAttachment* running) {
  std::string cidr = running && !running->addresses.empty() ? running->addresses.front() : "";
  std::vector<std::string> aliases = {container_id.substr(0, 12)};
  aliases.insert(aliases.end(), wanted.aliases.begin(), wanted.aliases.end());
  return {{"EndpointID", ""},
          {"Gateway", running ? running->gateway : ""},
          {"IPAddress", cidr.substr(0, cidr.find('/'))},
          {"IPPrefixLen", prefix_length(cidr)},
          {"IPv6Gateway", ""},
          {"GlobalIPv6Address", ""},
          {"GlobalIPv6PrefixLen", 0},
          {"MacAddress", running ? running->mac : ""},
          {"NetworkID", wanted.network},
          {"DriverOpts", nullptr},
          {"IPAMConfig", nullptr},
          {"Links", nullptr},
          {"Aliases", aliases}};
}

json bridge_networks(const engine::ContainerRecord& c, const engine::CreateOptions& o,
                     const std::optional<engine::ContainerNetwork>& network) {
  json out = json::object();
  for (const auto& wanted : o.network.networks) {
    const engine::BridgeAttachment* running = nullptr;
    if (network)
      for (const auto& bridge : network->bridges)
        if (bridge.network == wanted.network) running = &bridge;
    out[wanted.network] = bridge_network_json(c.id, wanted, running);
  }
  return out;
}

// What a running container's network is; empty fields when it has none.
json network_settings(const engine::StorePaths& paths, const engine::ContainerRecord& c,
                      const engine::CreateOptions& o) {
  auto network =
      engine::is_active(c.state) ? engine::read_container_network(paths, c.id) : std::nullopt;
  std::string address = network && !network->addresses.empty() ? network->addresses.front() : "";
  const engine::BridgeAttachment* first =
      network && !network->bridges.empty() ? &network->bridges.front() : nullptr;
  json settings = {
      {"EndpointID", ""},
      {"Gateway", network ? network->gateway : ""},
      {"IPAddress", address},
      {"IPPrefixLen",
       first && !first->addresses.empty() ? prefix_length(first->addresses.front()) : 0},
      {"IPv6Gateway", ""},
      {"GlobalIPv6Address", ""},
      {"GlobalIPv6PrefixLen", 0},
      {"MacAddress", first ? first->mac : ""},
      {"Bridge", ""},
      {"SandboxID", ""},
      {"HairpinMode", false},
      {"LinkLocalIPv6Address", ""},
      {"LinkLocalIPv6PrefixLen", 0},
      {"Ports", port_bindings(o.ports)},
      {"SandboxKey", network ? network->netns_path : ""}};
  if (o.network.kind == net::NetworkKind::kBridge)
    settings["Networks"] = bridge_networks(c, o, network);
  return settings;
}

json container_row(const engine::ContainerRecord& c, const engine::StoredConfig& stored,
                   bool no_trunc, const std::optional<engine::HealthState>& health) {
  bool exited = c.state == "exited";
  return {{"ID", no_trunc ? c.id : c.id.substr(0, 12)},
          {"Id", c.id},
          {"Image", c.image_name},
          {"ImageID", c.image_id},
          {"Command", base::join(stored.command, " ")},
          {"Created", seconds(c.created_ns)},
          {"CreatedAt", base::human_duration_ago(now() - seconds(c.created_ns))},
          {"CreatedHuman", base::human_duration_ago(now() - seconds(c.created_ns))},
          {"RunningFor", base::human_duration_ago(now() - seconds(c.created_ns))},
          {"Status", container_status(c, health)},
          {"State", c.state},
          {"Exited", exited},
          {"ExitCode", c.exit_code.value_or(0)},
          {"ExitedAt", seconds(c.finished_ns.value_or(0))},
          {"StartedAt", seconds(c.started_ns.value_or(0))},
          {"Pid", c.pid.value_or(0)},
          {"Names", c.name},
          {"Ports", ports_text(stored.options.ports)},
          {"Labels", labels_object(stored.options.labels)},
          {"AutoRemove", stored.options.remove},
          {"Mounts", json::array()},
          {"Pod", ""},
          {"PodName", ""},
          {"IsInfra", false}};
}

json inspect_container(const engine::Engine& engine, const engine::ContainerRecord& c,
                       const engine::StoredConfig& stored) {
  const auto& o = stored.options;
  const auto& paths = engine.paths();
  std::string userdata = base::path_join(paths.container_dir(c.id), "userdata");
  bool running = c.state == "running" || c.state == "stopping";
  std::vector<std::string> args;
  if (stored.command.size() > 1) args.assign(stored.command.begin() + 1, stored.command.end());
  json binds = json::array();
  for (const auto& v : o.volumes)
    binds.push_back(v.source + ":" + v.destination + (v.readonly ? ":ro" : ""));
  json ulimits = json::array();
  for (const auto& u : o.ulimits)
    ulimits.push_back({{"Name", u.type}, {"Soft", u.soft}, {"Hard", u.hard}});
  auto caps = engine::container_capabilities(o);
  json cap_list = caps ? json(*caps) : json::array();
  return {{"Id", c.id},
          {"Created", time_text(c.created_ns)},
          {"Path", stored.command.empty() ? "" : stored.command.front()},
          {"Args", args},
          {"State",
           {{"OciVersion", "1.0.2"},
            {"Status", c.state},
            {"Running", running},
            {"Paused", c.state == "paused"},
            {"Restarting", false},
            {"OOMKilled", false},
            {"Dead", false},
            // A paused container's processes are still there.
            {"Pid", engine::is_active(c.state) ? c.pid.value_or(0) : 0},
            {"ConmonPid", engine::is_active(c.state) ? c.monitor_pid.value_or(0) : 0},
            {"ExitCode", c.exit_code.value_or(0)},
            {"Error", ""},
            {"StartedAt", time_text(c.started_ns)},
            {"FinishedAt", time_text(c.finished_ns)},
            {"Health", inspect_health(paths, c, stored)},
            {"Healthcheck", inspect_health(paths, c, stored)}}},
          {"Image", c.image_id},
          {"ImageName", c.image_name},
          {"Rootfs", ""},
          {"Pod", ""},
          {"NetworkSettings", network_settings(paths, c, o)},
          {"ResolvConfPath", base::path_join(userdata, "resolv.conf")},
          {"HostnamePath", base::path_join(userdata, "hostname")},
          {"HostsPath", base::path_join(userdata, "hosts")},
          {"StaticDir", userdata},
          {"OCIConfigPath", base::path_join(userdata, "config.json")},
          {"OCIRuntime", "burrow"},
          {"LogPath", o.log_driver == "none" ? "" : engine::log_file_path(paths, c.id)},
          {"Name", c.name},
          {"RestartCount", c.restarts},
          {"Driver", engine.options().storage_driver.value_or("")},
          {"EffectiveCaps", cap_list},
          {"BoundingCaps", cap_list},
          {"ExecIDs", json::array()},
          {"Mounts", json::array()},
          {"Config",
           {{"Hostname", engine::container_hostname(o, c.id)},
            {"User", o.user.value_or("")},
            {"Env", o.env},
            {"Cmd", o.command},
            {"Image", c.image_name},
            {"WorkingDir", o.workdir.value_or("")},
            {"Entrypoint", o.entrypoint ? json(*o.entrypoint) : json("")},
            {"Labels", labels_object(o.labels)},
            {"StopSignal", o.stop_signal.value_or("SIGTERM")},
            {"StopTimeout", o.stop_timeout},
            {"Healthcheck", o.healthcheck ? healthcheck_config_json(*o.healthcheck) : json()},
            {"Tty", o.tty},
            {"OpenStdin", o.interactive},
            {"AttachStdin", o.interactive && !o.detach},
            {"AttachStdout", !o.detach},
            {"AttachStderr", !o.detach}}},
          {"HostConfig",
           {{"Binds", binds},
            {"NetworkMode", net::network_mode_name(o.network)},
            {"PortBindings", port_bindings(o.ports)},
            {"PublishAllPorts", false},
            {"Dns", o.dns_servers},
            {"DnsSearch", o.dns_search},
            {"DnsOptions", o.dns_options},
            {"ExtraHosts", o.add_hosts},
            {"RestartPolicy", {{"Name", o.restart_policy}, {"MaximumRetryCount", o.restart_max}}},
            {"AutoRemove", o.remove},
            {"CapAdd", o.cap_add},
            {"CapDrop", o.cap_drop},
            {"Privileged", o.privileged},
            {"Init", o.init},
            {"ReadonlyRootfs", o.read_only},
            {"Ulimits", ulimits},
            {"LogConfig",
             {{"Type", o.log_driver},
              {"Path", o.log_driver == "none" ? "" : engine::log_file_path(paths, c.id)},
              {"Size", o.log_max_size ? std::to_string(o.log_max_size) : "0B"}}}}}};
}

}  // namespace burrow::cli

// CreateOptions <-> JSON, the form a container's options are stored in.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "engine/container_options.h"

namespace burrow::engine {
namespace {

using nlohmann::json;

template <typename T>
void put(json& j, const char* key, const std::optional<T>& value) {
  if (value) j[key] = *value;
}

template <typename T>
void get(const json& j, const char* key, T& out) {
  if (auto it = j.find(key); it != j.end() && !it->is_null()) out = it->get<T>();
}

template <typename T>
void get(const json& j, const char* key, std::optional<T>& out) {
  if (auto it = j.find(key); it != j.end() && !it->is_null()) out = it->get<T>();
}

json volume_json(const BindVolume& v) {
  return {{"source", v.source},
          {"destination", v.destination},
          {"readonly", v.readonly},
          {"propagation", v.propagation}};
}

BindVolume volume_from(const json& j) {
  BindVolume v;
  get(j, "source", v.source);
  get(j, "destination", v.destination);
  get(j, "readonly", v.readonly);
  get(j, "propagation", v.propagation);
  return v;
}

json attachment_json(const net::NetworkAttachment& a) {
  return {{"network", a.network},
          {"aliases", a.aliases},
          {"static_ips", a.static_ips},
          {"static_mac", a.static_mac},
          {"interface_name", a.interface_name}};
}

net::NetworkAttachment attachment_from(const json& j) {
  net::NetworkAttachment a;
  get(j, "network", a.network);
  get(j, "aliases", a.aliases);
  get(j, "static_ips", a.static_ips);
  get(j, "static_mac", a.static_mac);
  get(j, "interface_name", a.interface_name);
  return a;
}

void put_network(json& j, const CreateOptions& o) {
  j["network"] = net::network_mode_name(o.network);
  j["network_options"] = o.network.helper_options;
  j["networks"] = json::array();
  for (const auto& a : o.network.networks) j["networks"].push_back(attachment_json(a));
  j["add_hosts"] = o.add_hosts;
  j["dns_servers"] = o.dns_servers;
  j["dns_search"] = o.dns_search;
  j["dns_options"] = o.dns_options;
  j["no_hosts"] = o.no_hosts;
}

// "container:ID" and "ns:PATH" carry their target after the colon; records
// from before networks existed have only "none" or "host".
Status get_network(const json& j, CreateOptions& o) {
  std::string name = "none";
  get(j, "network", name);
  std::string kind_name = name.substr(0, name.find(':'));
  BURROW_TRY(o.network.kind, net::network_kind_from_name(kind_name));
  if (name.size() > kind_name.size()) o.network.target = name.substr(kind_name.size() + 1);
  get(j, "network_options", o.network.helper_options);
  if (auto it = j.find("networks"); it != j.end() && it->is_array())
    for (const auto& a : *it) o.network.networks.push_back(attachment_from(a));
  get(j, "add_hosts", o.add_hosts);
  get(j, "dns_servers", o.dns_servers);
  get(j, "dns_search", o.dns_search);
  get(j, "dns_options", o.dns_options);
  get(j, "no_hosts", o.no_hosts);
  return base::ok();
}

json health_json(const HealthConfig& h) {
  return {{"test", h.test},
          {"interval_ns", h.interval_ns},
          {"timeout_ns", h.timeout_ns},
          {"start_period_ns", h.start_period_ns},
          {"retries", h.retries}};
}

HealthConfig health_from(const json& j) {
  HealthConfig h;
  get(j, "test", h.test);
  get(j, "interval_ns", h.interval_ns);
  get(j, "timeout_ns", h.timeout_ns);
  get(j, "start_period_ns", h.start_period_ns);
  get(j, "retries", h.retries);
  return h;
}

}  // namespace

std::string options_to_json(const CreateOptions& o) {
  json j;
  j["image"] = o.image;
  j["command"] = o.command;
  put(j, "entrypoint", o.entrypoint);
  j["env"] = o.env;
  put(j, "workdir", o.workdir);
  put(j, "user", o.user);
  put(j, "hostname", o.hostname);
  put(j, "name", o.name);
  j["read_only"] = o.read_only;
  j["read_only_tmpfs"] = o.read_only_tmpfs;
  j["interactive"] = o.interactive;
  j["tty"] = o.tty;
  j["remove"] = o.remove;
  put_network(j, o);
  j["volumes"] = json::array();
  for (const auto& v : o.volumes) j["volumes"].push_back(volume_json(v));
  j["ports"] = json::array();
  for (const auto& p : o.ports) j["ports"].push_back(net::port_mapping_json(p));
  j["cap_add"] = o.cap_add;
  j["cap_drop"] = o.cap_drop;
  put(j, "seccomp_profile", o.seccomp_profile);
  j["no_new_privileges"] = o.no_new_privileges;
  j["privileged"] = o.privileged;
  j["ulimits"] = json::array();
  for (const auto& u : o.ulimits)
    j["ulimits"].push_back({{"type", u.type}, {"soft", u.soft}, {"hard", u.hard}});
  j["labels"] = o.labels;
  j["init"] = o.init;
  j["init_path"] = o.init_path;
  j["detach"] = o.detach;
  j["log_driver"] = o.log_driver;
  j["log_max_size"] = o.log_max_size;
  j["restart_policy"] = o.restart_policy;
  j["restart_max"] = o.restart_max;
  put(j, "stop_signal", o.stop_signal);
  j["stop_timeout"] = o.stop_timeout;
  if (o.healthcheck) j["healthcheck"] = health_json(*o.healthcheck);
  return j.dump();
}

Result<CreateOptions> options_from_json(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return base::fail(EINVAL, "the container's stored options are not a JSON object");
  CreateOptions o;
  try {
    get(j, "image", o.image);
    get(j, "command", o.command);
    get(j, "entrypoint", o.entrypoint);
    get(j, "env", o.env);
    get(j, "workdir", o.workdir);
    get(j, "user", o.user);
    get(j, "hostname", o.hostname);
    get(j, "name", o.name);
    get(j, "read_only", o.read_only);
    get(j, "read_only_tmpfs", o.read_only_tmpfs);
    get(j, "interactive", o.interactive);
    get(j, "tty", o.tty);
    get(j, "remove", o.remove);
    BURROW_CHECK(get_network(j, o));
    if (auto it = j.find("volumes"); it != j.end() && it->is_array())
      for (const auto& v : *it) o.volumes.push_back(volume_from(v));
    if (auto it = j.find("ports"); it != j.end() && it->is_array())
      for (const auto& p : *it) o.ports.push_back(net::port_mapping_from(p));
    get(j, "cap_add", o.cap_add);
    get(j, "cap_drop", o.cap_drop);
    get(j, "seccomp_profile", o.seccomp_profile);
    get(j, "no_new_privileges", o.no_new_privileges);
    get(j, "privileged", o.privileged);
    if (auto it = j.find("ulimits"); it != j.end() && it->is_array())
      for (const auto& u : *it)
        o.ulimits.push_back({u.at("type").get<std::string>(), u.at("soft").get<uint64_t>(),
                             u.at("hard").get<uint64_t>()});
    get(j, "labels", o.labels);
    get(j, "init", o.init);
    get(j, "init_path", o.init_path);
    get(j, "detach", o.detach);
    get(j, "log_driver", o.log_driver);
    get(j, "log_max_size", o.log_max_size);
    get(j, "restart_policy", o.restart_policy);
    get(j, "restart_max", o.restart_max);
    get(j, "stop_signal", o.stop_signal);
    get(j, "stop_timeout", o.stop_timeout);
    if (auto it = j.find("healthcheck"); it != j.end() && it->is_object())
      o.healthcheck = health_from(*it);
  } catch (const json::exception& e) {
    return base::failf(EINVAL, "the container's stored options are damaged: {}", e.what());
  }
  return o;
}

Status parse_restart_policy(const std::string& spec, CreateOptions& options) {
  auto colon = spec.find(':');
  std::string name = spec.substr(0, colon);
  if (name == "" || name == "no" || name == "always" || name == "unless-stopped") {
    if (colon != std::string::npos)
      return base::failf(EINVAL, "invalid --restart \"{}\": only on-failure takes a count", spec);
    options.restart_policy = name.empty() ? "no" : name;
    options.restart_max = 0;
    return base::ok();
  }
  if (name != "on-failure")
    return base::failf(EINVAL,
                       "invalid --restart \"{}\": use no, on-failure[:N], always or "
                       "unless-stopped",
                       spec);
  options.restart_policy = name;
  options.restart_max = 0;
  if (colon == std::string::npos) return base::ok();
  std::string count = spec.substr(colon + 1);
  char* end = nullptr;
  long n = std::strtol(count.c_str(), &end, 10);
  if (count.empty() || *end != '\0' || n < 0 || n > 1000000)
    return base::failf(EINVAL, "invalid --restart \"{}\": the count must be a number >= 0", spec);
  options.restart_max = static_cast<int>(n);
  return base::ok();
}

Result<std::string> parse_log_driver(const std::string& driver) {
  if (driver == "k8s-file" || driver == "json-file" || driver == "none") return driver;
  if (driver == "journald" || driver == "passthrough")
    return base::failf(EINVAL, "--log-driver {} is not supported: use k8s-file, json-file or none",
                       driver);
  return base::failf(EINVAL, "invalid --log-driver \"{}\": use k8s-file, json-file or none",
                     driver);
}

Status parse_log_option(const std::string& spec, CreateOptions& options) {
  auto eq = spec.find('=');
  std::string key = spec.substr(0, eq);
  if (key != "max-size" || eq == std::string::npos)
    return base::failf(EINVAL, "invalid --log-opt \"{}\": use max-size=SIZE (like 10m)", spec);
  std::string value = base::ascii_lower(spec.substr(eq + 1));
  uint64_t unit = 1;
  while (!value.empty() && (value.back() == 'b' || value.back() == 'i')) value.pop_back();
  if (!value.empty()) {
    switch (value.back()) {
      case 'k':
        unit = 1000;
        break;
      case 'm':
        unit = 1000 * 1000;
        break;
      case 'g':
        unit = 1000 * 1000 * 1000;
        break;
      default:
        unit = 0;
    }
    if (unit != 0)
      value.pop_back();
    else
      unit = 1;
  }
  char* end = nullptr;
  double number = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || number <= 0)
    return base::failf(EINVAL, "invalid --log-opt \"{}\": max-size must be a size like 10m", spec);
  options.log_max_size = static_cast<uint64_t>(number * static_cast<double>(unit));
  return base::ok();
}

}  // namespace burrow::engine

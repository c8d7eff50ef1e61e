#include "rootless-net/network_config.h"

#include <algorithm>
#include <charconv>
#include <regex>
#include <set>

#include "base/digest.h"
#include "base/random_id.h"

namespace burrow::net {
namespace {

using ordered_json = nlohmann::ordered_json;
using json = nlohmann::json;

// ---- reading the JSON form ------------------------------------------------

// A typed view of one JSON object that remembers which keys were read, so
// that what is left over can be reported as unknown.
class Fields {
 public:
  Fields(const json& object, std::string where) : object_(object), where_(std::move(where)) {}

  Result<std::string> string(const std::string& key) {
    BURROW_TRY(const json* value, find(key, json::value_t::string, "a string"));
    return value->get<std::string>();
  }
  Result<bool> boolean(const std::string& key) {
    BURROW_TRY(const json* value, find(key, json::value_t::boolean, "true or false"));
    return value->get<bool>();
  }
  // Optional fields are nullptr when absent (or null, as Go's omitempty reads).
  Result<const json*> optional(const std::string& key, json::value_t type, const char* what) {
    seen_.insert(key);
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return nullptr;
    if (it->type() != type) return type_error(key, what);
    return &*it;
  }
  Result<const json*> find(const std::string& key, json::value_t type, const char* what) {
    BURROW_TRY(const json* value, optional(key, type, what));
    if (value == nullptr) return base::failf(EINVAL, "missing field \"{}\"", path(key));
    return value;
  }
  Result<std::map<std::string, std::string>> string_map(const std::string& key) {
    BURROW_TRY(const json* value, optional(key, json::value_t::object, "an object"));
    std::map<std::string, std::string> out;
    if (value == nullptr) return out;
    for (const auto& [name, item] : value->items()) {
      if (!item.is_string()) return type_error(key + "." + name, "a string");
      out[name] = item.get<std::string>();
    }
    return out;
  }
  Status no_unknown_fields() const {
    for (const auto& [key, value] : object_.items())
      if (!seen_.count(key)) return base::failf(EINVAL, "unknown field \"{}\"", path(key));
    return base::ok();
  }
  std::string path(const std::string& key) const {
    return where_.empty() ? key : where_ + "." + key;
  }

 private:
  tl::unexpected<Error> type_error(const std::string& key, const char* what) const {
    return base::failf(EINVAL, "field \"{}\" must be {}", path(key), what);
  }

  const json& object_;
  std::string where_;
  std::set<std::string> seen_;
};

Result<IpAddress> ip_field(Fields& fields, const std::string& key) {
  BURROW_TRY(std::string text, fields.string(key));
  auto ip = parse_ip(text);
  if (!ip) return base::failf(EINVAL, "field \"{}\": {}", fields.path(key), ip.error().message);
  return *ip;
}

Result<IpRange> lease_range_from(const json& object, const std::string& where) {
  Fields fields(object, where);
  IpRange range;
  BURROW_TRY(range.start_ip, ip_field(fields, "start_ip"));
  BURROW_TRY(range.end_ip, ip_field(fields, "end_ip"));
  BURROW_CHECK(fields.no_unknown_fields());
  return range;
}

Result<NetworkSubnet> subnet_from(const json& object, const std::string& where) {
  if (!object.is_object()) return base::failf(EINVAL, "field \"{}\" must be an object", where);
  Fields fields(object, where);
  NetworkSubnet out;
  BURROW_TRY(std::string text, fields.string("subnet"));
  auto subnet = parse_subnet(text);
  if (!subnet)
    return base::failf(EINVAL, "field \"{}\": {}", fields.path("subnet"), subnet.error().message);
  out.subnet = *subnet;
  BURROW_TRY(const json* gateway, fields.optional("gateway", json::value_t::string, "a string"));
  if (gateway != nullptr) {
    BURROW_TRY(out.gateway, ip_field(fields, "gateway"));
  }
  BURROW_TRY(const json* range, fields.optional("lease_range", json::value_t::object, "an object"));
  if (range != nullptr) {
    BURROW_TRY(out.lease_range, lease_range_from(*range, where + ".lease_range"));
  }
  BURROW_CHECK(fields.no_unknown_fields());
  return out;
}

Result<std::vector<NetworkSubnet>> subnets_from(Fields& fields) {
  BURROW_TRY(const json* list, fields.find("subnets", json::value_t::array, "an array"));
  std::vector<NetworkSubnet> subnets;
  for (size_t i = 0; i < list->size(); ++i) {
    BURROW_TRY(auto subnet, subnet_from((*list)[i], "subnets[" + std::to_string(i) + "]"));
    subnets.push_back(std::move(subnet));
  }
  return subnets;
}

// ---- rules ----------------------------------------------------------------

// Go's time.RFC3339Nano as Podman writes it (and RFC 3339 in general).
bool is_rfc3339(const std::string& text) {
  static const std::regex kForm(
      R"(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))");
  return std::regex_match(text, kForm);
}

std::optional<long> parse_int(const std::string& text) {
  long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Go's strconv.ParseBool, which Podman reads isolate= with.
std::optional<bool> parse_go_bool(const std::string& text) {
  static const std::set<std::string> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
  static const std::set<std::string> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
  if (kTrue.count(text)) return true;
  if (kFalse.count(text)) return false;
  return std::nullopt;
}

// The bridge options netavark 1.4 understands, with their values checked
// and written the way Podman writes them.
Result<std::string> normalized_option(const std::string& key, const std::string& value) {
  if (key == "mtu") {
    auto mtu = parse_int(value);
    if (!mtu || *mtu < 0 || *mtu > 65536)
      return base::failf(EINVAL, "invalid mtu \"{}\": use a number from 0 to 65536", value);
    return std::to_string(*mtu);
  }
  if (key == "vlan") {
    auto vlan = parse_int(value);
    if (!vlan || *vlan < 0 || *vlan > 4094)
      return base::failf(EINVAL, "invalid vlan \"{}\": use a VLAN ID from 0 to 4094", value);
    return std::to_string(*vlan);
  }
  if (key == "isolate") {
    auto isolate = parse_go_bool(value);
    if (!isolate) return base::failf(EINVAL, "invalid isolate \"{}\": use true or false", value);
    return *isolate ? "true" : "false";
  }
  return base::failf(EINVAL, "unsupported bridge network option \"{}\": use mtu, vlan or isolate",
                     key);
}

Status check_subnet(const NetworkSubnet& s) {
  std::string subnet = s.subnet.to_string();
  if (s.gateway && !s.subnet.contains(*s.gateway))
    return base::failf(EINVAL, "gateway {} not in subnet {}", format_ip(*s.gateway), subnet);
  if (!s.lease_range) return base::ok();
  const IpRange& range = *s.lease_range;
  if (!s.subnet.contains(range.start_ip))
    return base::failf(EINVAL, "lease range start ip {} not in subnet {}",
                       format_ip(range.start_ip), subnet);
  if (!s.subnet.contains(range.end_ip))
    return base::failf(EINVAL, "lease range end ip {} not in subnet {}", format_ip(range.end_ip),
                       subnet);
  if (range.end_ip < range.start_ip)
    return base::failf(EINVAL, "lease range of subnet {} ends before it starts", subnet);
  return base::ok();
}

Status check_no_overlap(const std::vector<NetworkSubnet>& subnets) {
  for (size_t i = 0; i < subnets.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (subnets[i].subnet.overlaps(subnets[j].subnet))
        return base::failf(EINVAL, "subnets {} and {} overlap", subnets[j].subnet.to_string(),
                           subnets[i].subnet.to_string());
  return base::ok();
}

Status check_subnets(const std::vector<NetworkSubnet>& subnets) {
  if (subnets.empty()) return base::fail(EINVAL, "a bridge network needs at least one subnet");
  for (const auto& subnet : subnets) BURROW_CHECK(check_subnet(subnet));
  return check_no_overlap(subnets);
}

Status check_options(const Network& network) {
  for (const auto& [key, value] : network.options) {
    BURROW_TRY(std::string normalized, normalized_option(key, value));
    (void)normalized;
  }
  if (network.ipam_options.size() != 1 || network.ipam_options.begin()->first != "driver" ||
      network.ipam_options.begin()->second != "host-local")
    return base::fail(EINVAL, "ipam_options must be {\"driver\": \"host-local\"}");
  for (const auto& [key, value] : network.labels)
    if (key.empty()) return base::fail(EINVAL, "a label has an empty name");
  return base::ok();
}

// ---- planning a new network ----------------------------------------------

Status check_driver(const std::string& driver) {
  if (driver == "bridge") return base::ok();
  if (driver == "macvlan" || driver == "ipvlan")
    return base::failf(EINVAL,
                       "the {} driver is not supported yet: burrow creates bridge networks "
                       "(leave out --driver)",
                       driver);
  return base::failf(EINVAL, "unsupported driver \"{}\": use bridge", driver);
}

Result<std::map<std::string, std::string>> parse_labels(const std::vector<std::string>& labels) {
  std::map<std::string, std::string> out;
  for (const auto& label : labels) {
    size_t eq = label.find('=');
    std::string key = label.substr(0, eq);
    if (key.empty())
      return base::failf(EINVAL, "invalid label \"{}\": use KEY or KEY=VALUE", label);
    out[key] = eq == std::string::npos ? "" : label.substr(eq + 1);
  }
  return out;
}

Result<std::map<std::string, std::string>> parse_options(const std::vector<std::string>& options) {
  std::map<std::string, std::string> out;
  for (const auto& option : options) {
    size_t eq = option.find('=');
    if (eq == std::string::npos || eq == 0)
      return base::failf(EINVAL, "invalid option \"{}\": use -o KEY=VALUE", option);
    std::string key = option.substr(0, eq);
    BURROW_TRY(out[key], normalized_option(key, option.substr(eq + 1)));
  }
  return out;
}

bool name_used(const NetworkContext& context, const std::string& name) {
  return std::any_of(context.existing.begin(), context.existing.end(),
                     [&](const Network& n) { return n.name == name; }) ||
         std::count(context.taken_names.begin(), context.taken_names.end(), name) > 0;
}

const Network* interface_user(const NetworkContext& context, const std::string& interface) {
  for (const auto& network : context.existing)
    if (network.network_interface == interface) return &network;
  return nullptr;
}

bool is_host_interface(const NetworkContext& context, const std::string& interface) {
  return std::count(context.host_interfaces.begin(), context.host_interfaces.end(), interface) > 0;
}

// podman1, podman2, ...: the first free as an interface (and, when the name
// is generated too, as a network name).
std::string free_device_name(const NetworkContext& context, bool also_as_name) {
  for (int n = 1;; ++n) {
    std::string candidate = "podman" + std::to_string(n);
    if (interface_user(context, candidate) || is_host_interface(context, candidate)) continue;
    if (also_as_name && name_used(context, candidate)) continue;
    return candidate;
  }
}

Status plan_names(const NetworkRequest& request, const NetworkContext& context, Network& network) {
  network.name = request.name.empty() ? free_device_name(context, true) : request.name;
  BURROW_CHECK(check_network_name(network.name));
  if (name_used(context, network.name))
    return base::failf(EEXIST, "network name {} already used: network already exists",
                       network.name);
  if (request.interface_name.empty()) {
    network.network_interface = free_device_name(context, false);
    return base::ok();
  }
  BURROW_CHECK(check_interface_name(request.interface_name));
  if (const Network* user = interface_user(context, request.interface_name))
    return base::failf(EEXIST, "interface name {} already used by network {}",
                       request.interface_name, user->name);
  if (is_host_interface(context, request.interface_name))
    return base::failf(EEXIST, "interface name {} is already used by an interface of the host",
                       request.interface_name);
  network.network_interface = request.interface_name;
  return base::ok();
}

// Whether `subnet` is free; the error names what has it.
Status check_subnet_free(const Subnet& subnet, const NetworkContext& context) {
  for (const auto& other : context.existing)
    for (const auto& s : other.subnets)
      if (s.subnet.overlaps(subnet))
        return base::failf(EEXIST,
                           "subnet {} overlaps subnet {} of network {}: choose another --subnet",
                           subnet.to_string(), s.subnet.to_string(), other.name);
  for (const auto& route : context.host_routes)
    if (route.subnet.overlaps(subnet))
      return base::failf(EEXIST,
                         "subnet {} overlaps the host's route to {} on {}: choose another "
                         "--subnet",
                         subnet.to_string(), route.subnet.to_string(), route.interface);
  return base::ok();
}

std::vector<Subnet> used_subnets(const NetworkContext& context,
                                 const std::vector<NetworkSubnet>& planned) {
  std::vector<Subnet> used;
  for (const auto& network : context.existing)
    for (const auto& s : network.subnets) used.push_back(s.subnet);
  for (const auto& route : context.host_routes) used.push_back(route.subnet);
  for (const auto& s : planned) used.push_back(s.subnet);
  return used;
}

// A bridge needs room for its gateway and at least one container.
Status check_subnet_size(const Subnet& subnet) {
  if (subnet.prefix <= subnet.address.bits() - 2) return base::ok();
  return base::failf(EINVAL, "subnet {} is too small for a bridge network: use at most /{}",
                     subnet.to_string(), subnet.address.bits() - 2);
}

Result<NetworkSubnet> requested_subnet(const NetworkRequest& request, size_t i,
                                       const NetworkContext& context) {
  NetworkSubnet out;
  BURROW_TRY(out.subnet, parse_subnet(request.subnets[i]));
  BURROW_CHECK(check_subnet_size(out.subnet));
  BURROW_CHECK(check_subnet_free(out.subnet, context));
  if (i < request.gateways.size()) {
    BURROW_TRY(out.gateway, parse_ip(request.gateways[i]));
    if (*out.gateway == out.subnet.address ||
        (!out.subnet.v6() && *out.gateway == out.subnet.last_address()))
      return base::failf(EINVAL, "gateway {} is the network's own address, not a host of {}",
                         request.gateways[i], out.subnet.to_string());
  }
  if (i < request.ip_ranges.size()) {
    BURROW_TRY(Subnet range, parse_subnet(request.ip_ranges[i]));
    if (!out.subnet.contains(range))
      return base::failf(EINVAL, "--ip-range {} is not inside subnet {}", range.to_string(),
                         out.subnet.to_string());
    out.lease_range = ip_range_of(range);
  }
  BURROW_CHECK(check_subnet(out));
  return out;
}

Result<std::vector<NetworkSubnet>> plan_subnets(const NetworkRequest& request,
                                                const NetworkContext& context) {
  if (request.subnets.empty() && (!request.gateways.empty() || !request.ip_ranges.empty()))
    return base::fail(EINVAL, "cannot set --gateway or --ip-range without --subnet");
  if (request.gateways.size() > request.subnets.size())
    return base::fail(EINVAL, "cannot set more gateways than subnets");
  if (request.ip_ranges.size() > request.subnets.size())
    return base::fail(EINVAL, "cannot set more ranges than subnets");
  std::vector<NetworkSubnet> subnets;
  for (size_t i = 0; i < request.subnets.size(); ++i) {
    BURROW_TRY(auto subnet, requested_subnet(request, i, context));
    subnets.push_back(std::move(subnet));
  }
  BURROW_CHECK(check_no_overlap(subnets));
  bool has_v6 = std::any_of(subnets.begin(), subnets.end(),
                            [](const NetworkSubnet& s) { return s.subnet.v6(); });
  if (subnets.empty()) {
    BURROW_TRY(Subnet v4, next_free_ipv4_subnet(used_subnets(context, subnets)));
    subnets.push_back({v4, std::nullopt, std::nullopt});
  }
  if (request.ipv6 && !has_v6) {
    BURROW_TRY(Subnet v6, random_ipv6_subnet(used_subnets(context, subnets), context.random));
    subnets.push_back({v6, std::nullopt, std::nullopt});
  }
  return subnets;
}

std::string random_unused_id(const NetworkContext& context) {
  for (;;) {
    std::string id = base::random_hex_id();
    bool used =
        std::any_of(context.existing.begin(), context.existing.end(),
                    [&](const Network& n) { return n.id.substr(0, 12) == id.substr(0, 12); });
    if (!used) return id;
  }
}

}  // namespace

Network default_network(std::string created) {
  Network network;
  network.name = "podman";
  network.id = kDefaultNetworkId;
  network.network_interface = "podman0";
  network.created = std::move(created);
  network.subnets.push_back({*parse_subnet("10.88.0.0/16"), *parse_ip("10.88.0.1"), std::nullopt});
  network.dns_enabled = false;
  return network;
}

nlohmann::ordered_json network_json(const Network& network) {
  ordered_json subnets = ordered_json::array();
  for (const auto& s : network.subnets) {
    ordered_json subnet = {{"subnet", s.subnet.to_string()}};
    if (s.gateway) subnet["gateway"] = format_ip(*s.gateway);
    if (s.lease_range)
      subnet["lease_range"] = {{"start_ip", format_ip(s.lease_range->start_ip)},
                               {"end_ip", format_ip(s.lease_range->end_ip)}};
    subnets.push_back(std::move(subnet));
  }
  ordered_json out = {{"name", network.name},
                      {"id", network.id},
                      {"driver", network.driver},
                      {"network_interface", network.network_interface},
                      {"created", network.created},
                      {"subnets", std::move(subnets)},
                      {"ipv6_enabled", network.ipv6_enabled},
                      {"internal", network.internal},
                      {"dns_enabled", network.dns_enabled}};
  if (!network.labels.empty()) out["labels"] = network.labels;
  if (!network.options.empty()) out["options"] = network.options;
  out["ipam_options"] = network.ipam_options;
  return out;
}

std::string network_file_text(const Network& network) {
  return network_json(network).dump(5) + "\n";
}

Result<Network> network_from_json(std::string_view text) {
  json object = json::parse(text, nullptr, false);
  if (object.is_discarded()) return base::fail(EINVAL, "not valid JSON");
  if (!object.is_object()) return base::fail(EINVAL, "expected a JSON object");
  Fields fields(object, "");
  Network network;
  BURROW_TRY(network.name, fields.string("name"));
  BURROW_TRY(network.id, fields.string("id"));
  BURROW_TRY(network.driver, fields.string("driver"));
  BURROW_TRY(network.network_interface, fields.string("network_interface"));
  BURROW_TRY(network.created, fields.string("created"));
  BURROW_TRY(network.subnets, subnets_from(fields));
  BURROW_TRY(network.ipv6_enabled, fields.boolean("ipv6_enabled"));
  BURROW_TRY(network.internal, fields.boolean("internal"));
  BURROW_TRY(network.dns_enabled, fields.boolean("dns_enabled"));
  BURROW_TRY(network.labels, fields.string_map("labels"));
  BURROW_TRY(network.options, fields.string_map("options"));
  BURROW_TRY(network.ipam_options, fields.string_map("ipam_options"));
  BURROW_CHECK(fields.no_unknown_fields());
  BURROW_CHECK(validate_network(network));
  return network;
}

Status check_network_name(const std::string& name) {
  bool valid = !name.empty() && name.size() <= 200 &&
               std::isalnum(static_cast<unsigned char>(name.front())) &&
               std::all_of(name.begin(), name.end(), [](unsigned char c) {
                 return std::isalnum(c) || c == '_' || c == '.' || c == '-';
               });
  if (valid) return base::ok();
  return base::failf(EINVAL,
                     "network name \"{}\" invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* "
                     "(at most 200 characters)",
                     name);
}

// The kernel's dev_valid_name(): under IFNAMSIZ (16) bytes, not . or ..,
// no slash, colon or white space.
Status check_interface_name(const std::string& name) {
  bool valid = !name.empty() && name.size() < 16 && name != "." && name != ".." &&
               std::none_of(name.begin(), name.end(), [](unsigned char c) {
                 return c == '/' || c == ':' || std::isspace(c) || c == 0;
               });
  if (valid) return base::ok();
  return base::failf(EINVAL,
                     "interface name \"{}\" invalid: use 1 to 15 characters without /, : or "
                     "white space",
                     name);
}

Status validate_network(const Network& network) {
  BURROW_CHECK(check_network_name(network.name));
  if (network.id.size() != 64 || !base::is_hex(network.id))
    return base::failf(EINVAL, "invalid network id \"{}\": expected 64 lower-case hex digits",
                       network.id);
  BURROW_CHECK(check_driver(network.driver));
  BURROW_CHECK(check_interface_name(network.network_interface));
  if (!is_rfc3339(network.created))
    return base::failf(EINVAL, "invalid created time \"{}\": expected RFC 3339", network.created);
  BURROW_CHECK(check_subnets(network.subnets));
  return check_options(network);
}

Result<Network> plan_network(const NetworkRequest& request, const NetworkContext& context) {
  BURROW_CHECK(check_driver(request.driver));
  Network network;
  BURROW_CHECK(plan_names(request, context, network));
  BURROW_TRY(network.labels, parse_labels(request.labels));
  BURROW_TRY(network.options, parse_options(request.options));
  BURROW_TRY(network.subnets, plan_subnets(request, context));
  network.internal = request.internal;
  network.dns_enabled = !request.disable_dns;
  // Podman's rule: an internal network without DNS needs no gateway address.
  if (!network.internal || network.dns_enabled)
    for (auto& s : network.subnets)
      if (!s.gateway) s.gateway = s.subnet.first_host();
  network.ipv6_enabled = std::any_of(network.subnets.begin(), network.subnets.end(),
                                     [](const NetworkSubnet& s) { return s.subnet.v6(); });
  network.id = random_unused_id(context);
  network.created = context.created;
  BURROW_CHECK(validate_network(network));
  return network;
}

}  // namespace burrow::net

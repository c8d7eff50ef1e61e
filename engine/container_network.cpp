// Runs in the CLI (or the exit command the monitor runs), inside the
// keeper's namespaces when rootless: namespace files and helpers then
// belong to the keeper's user namespace, as the container does.
#include "engine/container_network.h"

#include <nlohmann/json.hpp>

#include "base/child_process.h"
#include "base/file_util.h"
#include "base/log.h"
#include "base/random_id.h"
#include "engine/container_bridge.h"
#include "engine/container_config.h"
#include "engine/container_state.h"
#include "engine/spec_build.h"
#include "rootless-net/host_uplink.h"
#include "rootless-net/netns.h"
#include "rootless-net/slirp4netns.h"

namespace burrow::engine {
namespace {

using net::NetworkKind;

std::string network_record_path(const StorePaths& paths, const std::string& id) {
  return base::path_join(paths.container_run_dir(id), "network.json");
}

nlohmann::json bridge_json(const BridgeAttachment& b) {
  return {{"network", b.network},
          {"interface", b.interface},
          {"static_ips", b.static_ips},
          {"aliases", b.aliases},
          {"mac", b.mac},
          {"addresses", b.addresses},
          {"gateway", b.gateway}};
}

BridgeAttachment bridge_from(const nlohmann::json& j) {
  BridgeAttachment b;
  b.network = j.value("network", "");
  b.interface = j.value("interface", "");
  b.static_ips = j.value("static_ips", std::vector<std::string>{});
  b.aliases = j.value("aliases", std::vector<std::string>{});
  b.mac = j.value("mac", "");
  b.addresses = j.value("addresses", std::vector<std::string>{});
  b.gateway = j.value("gateway", "");
  return b;
}

nlohmann::json network_json(const ContainerNetwork& network) {
  nlohmann::json bridges = nlohmann::json::array();
  for (const auto& b : network.bridges) bridges.push_back(bridge_json(b));
  nlohmann::json ports = nlohmann::json::array();
  for (const auto& p : network.ports) ports.push_back(net::port_mapping_json(p));
  return {{"netns_path", network.netns_path},
          {"helper_pid", network.helper.pid},
          {"helper_start", network.helper.start_time},
          {"ports", ports},
          {"addresses", network.addresses},
          {"gateway", network.gateway},
          {"rootless", network.rootless},
          {"container_name", network.container_name},
          {"bridges", bridges}};
}

ContainerNetwork network_from(const nlohmann::json& j) {
  ContainerNetwork network;
  network.netns_path = j.value("netns_path", "");
  network.helper.pid = j.value("helper_pid", -1);
  network.helper.start_time = j.value("helper_start", "");
  for (const auto& p : j.value("ports", nlohmann::json::array()))
    network.ports.push_back(net::port_mapping_from(p));
  network.addresses = j.value("addresses", std::vector<std::string>{});
  network.gateway = j.value("gateway", "");
  network.rootless = j.value("rootless", false);
  network.container_name = j.value("container_name", "");
  for (const auto& b : j.value("bridges", nlohmann::json::array()))
    network.bridges.push_back(bridge_from(b));
  return network;
}

// The namespace file has a directory of its own: pasta watches the file's
// directory and quits when the file is deleted, but it reads one batch of
// deletions at a time and looks only at the first, so a file deleted beside
// it first (the monitor's attach socket, when the container dies while
// pasta is still starting) would hide the namespace's deletion from it.
std::string netns_dir_path(const StorePaths& paths, const std::string& id) {
  return base::path_join(paths.container_run_dir(id), "net");
}

std::string netns_file_path(const StorePaths& paths, const std::string& id) {
  return base::path_join(netns_dir_path(paths, id), "netns");
}

Status plan_pasta(const StorePaths& paths, const std::string& id, const CreateOptions& options,
                  const std::optional<net::HostUplink>& uplink, NetworkPlan& plan) {
  auto pasta = net::find_pasta();
  if (!pasta)
    return base::fail(ENOENT,
                      "--network pasta needs pasta: install the passt package, or use "
                      "--network slirp4netns");
  std::string run_dir = paths.container_run_dir(id);
  // One pid file name per start: a previous start's pasta, still starting
  // when its container was torn down and restarted, must not write its pid
  // where this start's pasta is expected to.
  std::string pid_file = fmt::format("pasta-{}.pid", base::random_hex_id().substr(0, 12));
  net::PastaPlan pasta_plan{*pasta,
                            run_dir,
                            plan.network.netns_path,
                            base::path_join(run_dir, pid_file),
                            base::path_join(run_dir, "pasta.log"),
                            options.network.helper_options,
                            options.ports};
  BURROW_TRY(plan.pasta, net::start_pasta(pasta_plan));
  // pasta copies the host's address and routes into the namespace, and
  // its gateway address leads to the host's loopback.
  if (uplink) {
    if (!uplink->address.empty()) plan.etc.addresses.push_back(uplink->address);
    plan.network.gateway = uplink->gateway;
    if (net::pasta_maps_gateway(options.network.helper_options))
      plan.etc.host_gateway = uplink->gateway;
  }
  plan.etc.network_dns = {net::kPastaDnsAddress};
  return base::ok();
}

Status plan_slirp(const StorePaths& paths, const std::string& id, const CreateOptions& options,
                  NetworkPlan& plan) {
  auto slirp = net::find_slirp4netns();
  if (!slirp)
    return base::fail(ENOENT,
                      "--network slirp4netns needs slirp4netns: install the slirp4netns package, "
                      "or use --network pasta");
  BURROW_TRY(auto slirp_options, net::parse_slirp_options(options.network.helper_options));
  BURROW_TRY(auto addresses, net::slirp_addresses(slirp_options));
  std::string run_dir = paths.container_run_dir(id);
  net::SlirpPlan slirp_plan{*slirp,
                            run_dir,
                            plan.network.netns_path,
                            base::path_join(run_dir, "slirp4netns.log"),
                            slirp_options,
                            options.ports};
  BURROW_TRY(plan.network.helper, net::start_slirp4netns(slirp_plan));
  plan.etc.addresses = {addresses.container};
  plan.network.gateway = addresses.gateway;
  plan.etc.host_gateway =
      slirp_options.allow_host_loopback ? addresses.gateway : net::first_host_address();
  plan.etc.network_dns = {addresses.dns};
  return base::ok();
}

// container:NAME joins the namespace of that running container and shares
// its /etc/hosts and /etc/resolv.conf.
Status plan_shared(Engine& engine, const CreateOptions& options, NetworkPlan& plan) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto target, store.find(options.network.target));
  if (!is_active(target.state) || !init_alive(target) || !target.pid)
    return base::failf(EINVAL,
                       "--network container:{}: that container is not running; start it first",
                       options.network.target);
  plan.join_path = fmt::format("/proc/{}/ns/net", *target.pid);
  plan.share_etc_from = base::path_join(engine.paths().container_dir(target.id), "userdata");
  BURROW_TRY(auto target_config, stored_config(target));
  plan.foreign_netns = target_config.options.network.kind == NetworkKind::kHost ||
                       target_config.options.network.kind == NetworkKind::kPath;
  return base::ok();
}

// The default routes after which a container on pasta may start, or none
// when it must wait for pasta to finish. pasta listens on the published
// ports before it configures the namespace (a connection made meanwhile
// waits in the listen queue), so ports need no more waiting; but the
// user's pasta options may change what it configures (-4, -6, another
// interface) in ways not worth predicting.
net::DefaultRoutes early_start_routes(const CreateOptions& options, bool ipv4_uplink) {
  if (options.network.kind != NetworkKind::kPasta || !options.network.helper_options.empty())
    return {};
  return net::host_default_routes(ipv4_uplink);
}

Status plan_network(Engine& engine, const ContainerRecord& record, const CreateOptions& options,
                    NetworkPlan& plan) {
  switch (options.network.kind) {
    case NetworkKind::kNone:
      return base::ok();
    case NetworkKind::kHost: {
      plan.etc.host_network = true;
      auto hosts = base::read_file_limited("/etc/hosts", 1 << 20);
      plan.etc.host_hosts = hosts ? *hosts : "";
      return base::ok();
    }
    case NetworkKind::kPath:
      plan.join_path = options.network.target;
      plan.foreign_netns = true;
      return base::ok();
    case NetworkKind::kContainer:
      return plan_shared(engine, options, plan);
    case NetworkKind::kPasta:
    case NetworkKind::kSlirp4netns:
    case NetworkKind::kBridge:
      break;
  }
  bool bridge = options.network.kind == NetworkKind::kBridge;
  // Bridge ports are checked against other containers' too, under a lock.
  if (!bridge) BURROW_CHECK(net::check_ports_free(options.ports));
  const StorePaths& paths = engine.paths();
  plan.network.netns_path = netns_file_path(paths, record.id);
  BURROW_CHECK(base::make_dirs(netns_dir_path(paths, record.id), 0700));
  // pasta copies the host's uplink: read once, for both uses.
  std::optional<net::HostUplink> uplink;
  if (options.network.kind == NetworkKind::kPasta) uplink = net::host_uplink();
  plan.expected_routes = early_start_routes(options, uplink.has_value());
  if (plan.expected_routes.any()) {
    BURROW_TRY(plan.route_watch, net::create_watched_netns_file(plan.network.netns_path));
  } else {
    BURROW_CHECK(net::create_netns_file(plan.network.netns_path));
  }
  plan.join_path = plan.network.netns_path;
  plan.network.ports = options.ports;
  plan.network.container_name = record.name;
  if (bridge) return plan_bridge(engine, record, options, plan);
  if (options.network.kind == NetworkKind::kPasta)
    return plan_pasta(paths, record.id, options, uplink, plan);
  return plan_slirp(paths, record.id, options, plan);
}

}  // namespace

Status resolve_published_ports(CreateOptions& options, const std::vector<std::string>& exposed,
                               bool publish_all) {
  if (publish_all) {
    for (const auto& key : exposed) {
      BURROW_TRY(PortMapping port, net::parse_exposed_port(key));
      options.ports.push_back(std::move(port));
    }
  }
  if (options.ports.empty()) return base::ok();
  NetworkKind kind = options.network.kind;
  if (kind == NetworkKind::kContainer || kind == NetworkKind::kPath)
    return base::failf(EINVAL,
                       "--network {} shares another network namespace, which cannot publish "
                       "ports: publish them on the container that owns it",
                       net::network_mode_name(options.network));
  if (!net::can_publish_ports(kind)) {
    base::warn("port mappings are discarded: --network {} publishes no ports",
               net::network_mode_name(options.network));
    options.ports.clear();
    return base::ok();
  }
  return net::assign_host_ports(options.ports);
}

Result<NetworkPlan> begin_network(Engine& engine, const ContainerRecord& record,
                                  const CreateOptions& options) {
  NetworkPlan plan;
  if (Status planned = plan_network(engine, record, options, plan); !planned) {
    abandon_network(engine.paths(), record.id, plan);
    return tl::unexpected(planned.error());
  }
  return plan;
}

PendingNetwork pending_network(const NetworkPlan& plan) {
  if (!plan.pasta || plan.pasta->launcher <= 0) return {};
  return {base::open_pidfd(plan.pasta->launcher), plan.pasta->plan.pid_file, plan.route_watch.get(),
          plan.expected_routes};
}

// The pasta process to stop at teardown. A container that started before
// pasta finished has pasta's first process recorded while it still runs:
// stopping it then stops pasta before it forks its daemon, and a daemon
// forked since quits by itself once the namespace file is removed.
Result<net::HelperProcess> pasta_helper(NetworkPlan& plan) {
  net::PastaLaunch& launch = *plan.pasta;
  base::UniqueFd pidfd = base::open_pidfd(launch.launcher);
  if (plan.route_watch && pidfd && !base::poll_exit(pidfd, 0)) {
    net::HelperProcess launcher{launch.launcher, base::process_start_time(launch.launcher)};
    launch.launcher = -1;  // reaped by whoever outlives it
    return launcher;
  }
  return net::wait_for_pasta(launch);
}

Status complete_network(Engine& engine, const ContainerRecord& record, NetworkPlan& plan) {
  if (plan.pasta) {
    auto helper = pasta_helper(plan);
    plan.pasta.reset();
    if (!helper) return tl::unexpected(helper.error());
    plan.network.helper = *helper;
  }
  plan.route_watch.reset();
  plan.network.addresses = plan.etc.addresses;
  if (plan.network.netns_path.empty()) return base::ok();
  return record_container_network(engine.paths(), record.id, plan.network);
}

Status record_container_network(const StorePaths& paths, const std::string& id,
                                const ContainerNetwork& network) {
  return base::write_file_atomic(network_record_path(paths, id), network_json(network).dump(), 0600,
                                 false);
}

void abandon_network(const StorePaths& paths, const std::string& id, NetworkPlan& plan) {
  if (plan.pasta && plan.pasta->launcher > 0) {
    // Once configured, pasta's daemon leaves its pid behind.
    auto helper = net::wait_for_pasta(*plan.pasta);
    if (helper) plan.network.helper = *helper;
  }
  plan.pasta.reset();
  net::stop_helper(plan.network.helper);
  if (plan.bridges_set_up) {
    teardown_bridge(paths, id, plan.network);
  } else {
    release_bridge_addresses(paths, plan.network);
  }
  if (!plan.network.netns_path.empty()) (void)net::remove_netns_file(plan.network.netns_path);
  // Nothing of the plan is left: a record would hold addresses for nothing.
  ::unlink(network_record_path(paths, id).c_str());
}

void teardown_network(const StorePaths& paths, const std::string& id) {
  if (auto network = read_container_network(paths, id)) {
    net::stop_helper(network->helper);
    teardown_bridge(paths, id, *network);
  }
  // Also when the record is missing: a start killed before it wrote one
  // may have left the namespace file.
  std::string netns = netns_file_path(paths, id);
  if (auto removed = net::remove_netns_file(netns); !removed)
    base::warn("container {}: {}", id, removed.error().message);
  ::unlink(network_record_path(paths, id).c_str());
}

// The network part comes from the plan; the names and the user's flags
// from the options. container:NAME shares that container's files.
Status write_container_etc(const std::string& userdata_dir, const ContainerRecord& record,
                           const CreateOptions& options, const NetworkPlan& network) {
  EtcFilesInput etc = network.etc;
  etc.hostname = container_hostname(options, record.id);
  etc.container_name = record.name;
  auto resolv = base::read_file_limited("/etc/resolv.conf", 1 << 20);
  etc.host_resolv_conf = resolv ? *resolv : "";
  etc.add_hosts = options.add_hosts;
  etc.dns_servers = options.dns_servers;
  etc.dns_search = options.dns_search;
  etc.dns_options = options.dns_options;
  BURROW_CHECK(write_etc_files(userdata_dir, etc));
  if (network.share_etc_from.empty()) return base::ok();
  for (const char* file : {"hosts", "resolv.conf"}) {
    BURROW_TRY(auto text,
               base::read_file_limited(base::path_join(network.share_etc_from, file), 1 << 20));
    BURROW_CHECK(base::write_file_atomic(base::path_join(userdata_dir, file), text, 0644, false));
  }
  return base::ok();
}

std::optional<ContainerNetwork> read_container_network(const StorePaths& paths,
                                                       const std::string& id) {
  auto text = base::read_file_limited(network_record_path(paths, id), 1 << 20);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    return network_from(j);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace burrow::engine

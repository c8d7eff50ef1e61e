#include "engine/container_bridge.h"

#include <algorithm>
#include <filesystem>

#include "base/file_util.h"
#include "base/lock.h"
#include "base/log.h"
#include "engine/network_store.h"
#include "rootless-net/host_uplink.h"
#include "rootless-net/netavark.h"
#include "rootless-net/rootless_netns.h"

namespace burrow::engine {
namespace {

// Where netavark's state (aardvark-dns's name tables) and the lock live.
// Root stores all share the host's namespace, bridges, firewall chains and
// aardvark-dns, so they share one directory; rootless, each run root has a
// rootless namespace of its own.
std::string bridge_state_dir(const StorePaths& paths, bool rootless) {
  return rootless ? paths.run_root : "/run/burrow-netavark";
}

std::string netavark_config_dir(const StorePaths& paths, bool rootless) {
  return base::path_join(bridge_state_dir(paths, rootless), "networks");
}

// Serialises address choice and netavark's runs: two setups or teardowns
// on the same bridge at once break its firewall chains, and the rootless
// namespace must not go while a start uses it.
Result<base::FileLock> lock_bridges(const StorePaths& paths, bool rootless) {
  std::string dir = bridge_state_dir(paths, rootless);
  BURROW_CHECK(base::make_dirs(dir, 0700));
  return base::FileLock::acquire(base::path_join(dir, "bridges.lock"));
}

// The recorded networks of the other running containers.
std::vector<ContainerNetwork> other_networks(const StorePaths& paths, const std::string& id) {
  std::vector<ContainerNetwork> found;
  std::error_code error;
  std::filesystem::directory_iterator dir(base::path_join(paths.run_root, "containers"), error);
  for (; !error && dir != std::filesystem::directory_iterator(); dir.increment(error)) {
    std::string other = dir->path().filename();
    if (other == id) continue;
    if (auto network = read_container_network(paths, other)) found.push_back(std::move(*network));
  }
  return found;
}

// The addresses containers hold, one empty file each in STATE/addresses:
// keyed by address alone, because two root stores may have networks of
// the same subnet on the host.
std::string address_dir(const StorePaths& paths, bool rootless) {
  return base::path_join(bridge_state_dir(paths, rootless), "addresses");
}

std::vector<net::IpAddress> addresses_in_use(const StorePaths& paths, bool rootless) {
  std::vector<net::IpAddress> used;
  std::error_code error;
  std::filesystem::directory_iterator dir(address_dir(paths, rootless), error);
  for (; !error && dir != std::filesystem::directory_iterator(); dir.increment(error))
    if (auto parsed = net::parse_ip(dir->path().filename().string())) used.push_back(*parsed);
  return used;
}

Status claim_addresses(const StorePaths& paths, bool rootless, const BridgeAttachment& bridge) {
  std::string dir = address_dir(paths, rootless);
  BURROW_CHECK(base::make_dirs(dir, 0700));
  for (const auto& ip : bridge.static_ips)
    BURROW_CHECK(base::write_file_atomic(base::path_join(dir, ip), "", 0600, false));
  return base::ok();
}

void release_addresses(const StorePaths& paths, bool rootless, const BridgeAttachment& bridge) {
  for (const auto& ip : bridge.static_ips)
    ::unlink(base::path_join(address_dir(paths, rootless), ip).c_str());
}

// Host ports are DNAT rules, not sockets: another container's are only
// known from its record.
Status check_ports_unclaimed(const std::vector<ContainerNetwork>& others,
                             const std::vector<PortMapping>& ports) {
  for (const auto& port : ports)
    for (const auto& other : others)
      for (const auto& taken : other.ports)
        if (taken.host_port == port.host_port && taken.protocol == port.protocol &&
            (taken.host_ip.empty() || port.host_ip.empty() || taken.host_ip == port.host_ip))
          return base::failf(EADDRINUSE,
                             "cannot publish {}/{}: another container publishes that host port; "
                             "choose another with -p",
                             port.host_port, port.protocol);
  return net::check_ports_free(ports);
}

// One address per subnet: the user's --ip where it falls in the subnet,
// else the lowest free one.
Result<std::vector<std::string>> choose_addresses(const net::Network& network,
                                                  const net::NetworkAttachment& wanted,
                                                  std::vector<net::IpAddress> used) {
  std::vector<std::string> chosen;
  for (const auto& subnet : network.subnets) {
    if (subnet.gateway) used.push_back(*subnet.gateway);
    std::optional<net::IpAddress> pick;
    for (const auto& text : wanted.static_ips) {
      BURROW_TRY(auto ip, net::parse_ip(text));
      if (!subnet.subnet.contains(ip)) continue;
      if (std::find(used.begin(), used.end(), ip) != used.end())
        return base::failf(EADDRINUSE, "--ip {}: the address is in use on network {}", text,
                           network.name);
      pick = ip;
    }
    if (!pick) {
      BURROW_TRY(pick, net::next_free_address(subnet.subnet, used, subnet.lease_range));
    }
    used.push_back(*pick);
    chosen.push_back(net::format_ip(*pick));
  }
  for (const auto& text : wanted.static_ips) {
    BURROW_TRY(auto ip, net::parse_ip(text));
    bool fits = false;
    for (const auto& subnet : network.subnets) fits = fits || subnet.subnet.contains(ip);
    if (!fits)
      return base::failf(EINVAL, "--ip {} is not in a subnet of network {}", text, network.name);
  }
  return chosen;
}

struct BridgeContext {
  net::NetavarkEnv env;
  std::optional<net::RootlessNetns> rootless;
};

Result<BridgeContext> bridge_context(const StorePaths& paths, bool rootless, bool create) {
  auto env = net::find_netavark(netavark_config_dir(paths, rootless), rootless);
  if (!env)
    return base::fail(ENOENT,
                      "bridge networks need netavark: install the netavark and aardvark-dns "
                      "packages, or use --network pasta");
  BridgeContext context{*env, std::nullopt};
  if (rootless) {
    if (create) {
      BURROW_TRY(context.rootless, net::ensure_rootless_netns(paths.run_root));
    } else {
      context.rootless = net::rootless_netns_paths(paths.run_root);
    }
    context.env.host_netns = context.rootless->netns_path;
  }
  return context;
}

// One network's share of a request: the definition as stored.
net::NetavarkAttach netavark_attach(const NetworkStore& store, const BridgeAttachment& bridge) {
  net::NetavarkAttach attach;
  attach.network = bridge.network;
  if (auto definition = store.find(bridge.network))
    attach.definition = net::network_json(*definition);
  attach.interface_name = bridge.interface;
  attach.static_ips = bridge.static_ips;
  attach.aliases = bridge.aliases;
  attach.static_mac = bridge.mac;
  return attach;
}

net::NetavarkRequest netavark_request(const NetworkStore& store, const ContainerRecord& record,
                                      const ContainerNetwork& network,
                                      const std::vector<std::string>& dns_servers) {
  net::NetavarkRequest request;
  request.container_id = record.id;
  request.container_name = record.name;
  for (const auto& bridge : network.bridges)
    request.networks.push_back(netavark_attach(store, bridge));
  request.ports = network.rootless ? net::rootless_netavark_ports(network.ports) : network.ports;
  request.dns_servers = dns_servers;
  return request;
}

// The first ethN no network of the container has.
std::string free_interface(const ContainerNetwork& network) {
  for (int index = 0;; ++index) {
    std::string name = fmt::format("eth{}", index);
    bool taken = false;
    for (const auto& bridge : network.bridges) taken = taken || bridge.interface == name;
    if (!taken) return name;
  }
}

// The address, interface and names the container gets on one more network;
// its addresses are claimed.
Status choose_attachment(const StorePaths& paths, const NetworkStore& store,
                         const net::NetworkAttachment& wanted, ContainerNetwork& network) {
  auto definition = store.find(wanted.network);
  if (!definition)
    return base::failf(ENOENT, "network {} not found: create it with burrow network create {}",
                       wanted.network, wanted.network);
  for (const auto& bridge : network.bridges)
    if (bridge.network == definition->name)
      return base::failf(EEXIST, "the container is already on network {}", definition->name);
  BridgeAttachment bridge;
  bridge.network = definition->name;
  bridge.interface =
      wanted.interface_name.empty() ? free_interface(network) : wanted.interface_name;
  BURROW_TRY(bridge.static_ips,
             choose_addresses(*definition, wanted, addresses_in_use(paths, network.rootless)));
  bridge.aliases = wanted.aliases;
  bridge.mac = wanted.static_mac;
  BURROW_CHECK(claim_addresses(paths, network.rootless, bridge));
  network.bridges.push_back(std::move(bridge));
  return base::ok();
}

// What netavark reports: the interface's MAC, addresses with their
// prefixes and the gateway.
void apply_status(const std::vector<net::NetworkStatus>& statuses, ContainerNetwork& network) {
  for (auto& bridge : network.bridges) {
    for (const auto& status : statuses) {
      if (status.network != bridge.network) continue;
      bridge.addresses = status.addresses;
      bridge.mac = status.mac;
      bridge.gateway = status.gateways.empty() ? "" : status.gateways.front();
    }
  }
  network.gateway = network.bridges.empty() ? "" : network.bridges.front().gateway;
  network.addresses.clear();
  for (const auto& bridge : network.bridges)
    network.addresses.insert(network.addresses.end(), bridge.static_ips.begin(),
                             bridge.static_ips.end());
}

}  // namespace

Status plan_bridge(Engine& engine, const ContainerRecord& record, const CreateOptions& options,
                   NetworkPlan& plan) {
  const StorePaths& paths = engine.paths();
  bool rootless = engine.host().rootless;
  BURROW_TRY(auto lock, lock_bridges(paths, rootless));
  auto others = other_networks(paths, record.id);
  BURROW_CHECK(check_ports_unclaimed(others, options.ports));
  NetworkStore store(paths);
  plan.network.rootless = rootless;
  plan.network.ports = options.ports;
  // Recorded as the addresses are claimed: if this command is killed,
  // whichever command finishes the container releases them and tears down
  // what netavark did.
  for (const auto& wanted : options.network.networks) {
    BURROW_CHECK(choose_attachment(paths, store, wanted, plan.network));
    BURROW_CHECK(record_container_network(paths, record.id, plan.network));
  }
  // Disconnected from every network: only lo, as Podman leaves it.
  if (plan.network.bridges.empty()) return base::ok();
  BURROW_TRY(auto context, bridge_context(paths, rootless, true));
  auto request = netavark_request(store, record, plan.network, options.dns_servers);
  BURROW_TRY(auto statuses, net::netavark_setup(context.env, plan.network.netns_path, request));
  // From here undoing the plan must run netavark too.
  plan.bridges_set_up = true;
  apply_status(statuses, plan.network);
  if (context.rootless) {
    BURROW_CHECK(net::add_rootless_port_forwards(*context.rootless, options.ports));
  }
  fill_bridge_etc(paths, plan.network, plan.etc);
  return base::ok();
}

void fill_bridge_etc(const StorePaths& paths, const ContainerNetwork& network, EtcFilesInput& etc) {
  NetworkStore store(paths);
  etc.addresses = network.addresses;
  etc.network_dns.clear();
  etc.network_search.clear();
  for (const auto& bridge : network.bridges) {
    auto definition = store.find(bridge.network);
    if (!definition || !definition->dns_enabled || bridge.gateway.empty()) continue;
    etc.network_dns.push_back(bridge.gateway);
    etc.network_search = {"dns.podman"};
  }
  // As root the bridge's gateway is the host; rootless it is the rootless
  // namespace, and the host is reached at its own address through slirp4netns.
  etc.host_gateway = network.rootless ? net::first_host_address() : network.gateway;
}

Status attach_bridge(Engine& engine, const ContainerRecord& record, ContainerNetwork& network,
                     const net::NetworkAttachment& wanted) {
  const StorePaths& paths = engine.paths();
  BURROW_TRY(auto lock, lock_bridges(paths, network.rootless));
  NetworkStore store(paths);
  ContainerNetwork added;
  added.rootless = network.rootless;
  added.bridges = network.bridges;
  BURROW_CHECK(choose_attachment(paths, store, wanted, added));
  BURROW_TRY(auto context, bridge_context(paths, network.rootless, true));
  net::NetavarkRequest request;
  request.container_id = record.id;
  request.container_name = record.name;
  request.networks.push_back(netavark_attach(store, added.bridges.back()));
  auto statuses = net::netavark_setup(context.env, network.netns_path, request);
  if (!statuses) {
    release_addresses(paths, network.rootless, added.bridges.back());
    return tl::unexpected(statuses.error());
  }
  network.bridges.push_back(added.bridges.back());
  apply_status(*statuses, network);
  return base::ok();
}

Status detach_bridge(Engine& engine, const ContainerRecord& record, ContainerNetwork& network,
                     const std::string& name) {
  const StorePaths& paths = engine.paths();
  auto it = std::find_if(network.bridges.begin(), network.bridges.end(),
                         [&](const BridgeAttachment& b) { return b.network == name; });
  if (it == network.bridges.end())
    return base::failf(ENOENT, "container {} is not connected to network {}", record.name, name);
  BURROW_TRY(auto lock, lock_bridges(paths, network.rootless));
  BURROW_TRY(auto context, bridge_context(paths, network.rootless, false));
  NetworkStore store(paths);
  net::NetavarkRequest request;
  request.container_id = record.id;
  request.container_name = record.name;
  request.networks.push_back(netavark_attach(store, *it));
  // The published ports ride on the first network.
  if (it == network.bridges.begin())
    request.ports = network.rootless ? net::rootless_netavark_ports(network.ports) : network.ports;
  BURROW_CHECK(net::netavark_teardown(context.env, network.netns_path, request));
  release_addresses(paths, network.rootless, *it);
  network.bridges.erase(it);
  apply_status({}, network);
  return base::ok();
}

void release_bridge_addresses(const StorePaths& paths, const ContainerNetwork& network) {
  auto lock = lock_bridges(paths, network.rootless);
  for (const auto& bridge : network.bridges) release_addresses(paths, network.rootless, bridge);
}

void teardown_bridge(const StorePaths& paths, const std::string& id,
                     const ContainerNetwork& network) {
  if (network.bridges.empty()) return;
  auto lock = lock_bridges(paths, network.rootless);
  auto context = bridge_context(paths, network.rootless, false);
  if (!context) {
    base::warn("container {}: {}", id, context.error().message);
    return;
  }
  ContainerRecord record;
  record.id = id;
  record.name = network.container_name;
  NetworkStore store(paths);
  auto request = netavark_request(store, record, network, {});
  if (context->rootless) {
    if (auto removed = net::remove_rootless_port_forwards(*context->rootless, network.ports);
        !removed)
      base::warn("container {}: {}", id, removed.error().message);
  }
  if (auto torn = net::netavark_teardown(context->env, network.netns_path, request); !torn)
    base::warn("container {}: {}", id, torn.error().message);
  for (const auto& bridge : network.bridges) release_addresses(paths, network.rootless, bridge);
  if (!network.rootless) return;
  // The rootless namespace goes with the last container on a bridge.
  for (const auto& other : other_networks(paths, id))
    if (!other.bridges.empty()) return;
  if (auto removed = net::remove_rootless_netns(paths.run_root); !removed)
    base::warn("{}", removed.error().message);
}

}  // namespace burrow::engine

#include "engine/container_connect.h"

#include <algorithm>

#include "base/file_util.h"
#include "engine/container_bridge.h"
#include "engine/container_config.h"
#include "engine/container_network.h"
#include "engine/container_state.h"
#include "engine/network_store.h"

namespace burrow::engine {
namespace {

struct Locked {
  base::FileLock lock;
  ContainerRecord record;
  StoredConfig stored;
};

Result<Locked> lock_bridged(Engine& engine, const std::string& reference) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto found, store.find(reference));
  BURROW_TRY(auto lock, lock_container(engine.paths(), found.id));
  BURROW_TRY(auto record, store.get(found.id));
  if (!record) return base::failf(ENOENT, "no container with name or ID \"{}\" found", reference);
  BURROW_TRY(auto stored, stored_config(*record));
  if (stored.options.network.kind != net::NetworkKind::kBridge)
    return base::failf(EINVAL,
                       "container {} uses --network {}: only containers on bridge networks can "
                       "be connected to networks",
                       record->name, net::network_mode_name(stored.options.network));
  return Locked{std::move(lock), std::move(*record), std::move(stored)};
}

// A running container's interfaces change now, with its /etc files.
Status change_running(Engine& engine, Locked& locked,
                      const std::function<Status(ContainerNetwork&)>& change) {
  if (!is_active(locked.record.state) || !init_alive(locked.record)) return base::ok();
  const StorePaths& paths = engine.paths();
  auto network = read_container_network(paths, locked.record.id);
  if (!network)
    return base::failf(EIO, "container {} runs but its network record is missing",
                       locked.record.name);
  BURROW_CHECK(change(*network));
  BURROW_CHECK(record_container_network(paths, locked.record.id, *network));
  NetworkPlan plan;
  fill_bridge_etc(paths, *network, plan.etc);
  std::string userdata = base::path_join(paths.container_dir(locked.record.id), "userdata");
  return write_container_etc(userdata, locked.record, locked.stored.options, plan);
}

Status store_options(Engine& engine, const Locked& locked) {
  ContainerStore store(engine.db());
  return store.set_config(locked.record.id,
                          stored_config_json(locked.stored.options, locked.stored.command));
}

}  // namespace

Status connect_container(Engine& engine, const std::string& container,
                         net::NetworkAttachment wanted) {
  NetworkStore networks(engine.paths());
  BURROW_TRY(auto network, networks.find(wanted.network));
  wanted.network = network.name;
  BURROW_TRY(auto locked, lock_bridged(engine, container));
  auto& joined = locked.stored.options.network.networks;
  for (const auto& attachment : joined)
    if (attachment.network == network.name)
      return base::failf(EEXIST, "container {} is already connected to network {}",
                         locked.record.name, network.name);
  BURROW_CHECK(change_running(engine, locked, [&](ContainerNetwork& running) {
    return attach_bridge(engine, locked.record, running, wanted);
  }));
  joined.push_back(std::move(wanted));
  return store_options(engine, locked);
}

Status disconnect_container(Engine& engine, const std::string& container,
                            const std::string& network_reference) {
  NetworkStore networks(engine.paths());
  BURROW_TRY(auto network, networks.find(network_reference));
  BURROW_TRY(auto locked, lock_bridged(engine, container));
  auto& joined = locked.stored.options.network.networks;
  auto it = std::find_if(joined.begin(), joined.end(), [&](const net::NetworkAttachment& a) {
    return a.network == network.name;
  });
  if (it == joined.end())
    return base::failf(ENOENT, "container {} is not connected to network {}", locked.record.name,
                       network.name);
  BURROW_CHECK(change_running(engine, locked, [&](ContainerNetwork& running) {
    return detach_bridge(engine, locked.record, running, network.name);
  }));
  joined.erase(it);
  return store_options(engine, locked);
}

}  // namespace burrow::engine

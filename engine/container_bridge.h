// Bridge networks for a starting container: addresses chosen among those
// the running containers of each network hold, then netavark (as root in
// the host's namespace, rootless in the user's rootless network namespace
// with slirp4netns forwarding published ports to it).
#pragma once

#include "base/result.h"
#include "engine/container_network.h"

namespace burrow::engine {

// Sets up options.network.networks on plan.network.netns_path, which
// exists; fills plan.network.bridges and the /etc files' network part.
Status plan_bridge(Engine& engine, const ContainerRecord& record, const CreateOptions& options,
                   NetworkPlan& plan);

// The /etc files' network part for a container on bridges: its addresses,
// aardvark-dns (the gateway of each network with DNS) and the host.
void fill_bridge_etc(const StorePaths& paths, const ContainerNetwork& network, EtcFilesInput& etc);

// network connect/disconnect of a running container: netavark for that one
// network on the container's namespace; `network` is updated, not recorded.
Status attach_bridge(Engine& engine, const ContainerRecord& record, ContainerNetwork& network,
                     const net::NetworkAttachment& wanted);
Status detach_bridge(Engine& engine, const ContainerRecord& record, ContainerNetwork& network,
                     const std::string& name);

// Gives back the addresses a plan claimed when netavark never ran for it.
void release_bridge_addresses(const StorePaths& paths, const ContainerNetwork& network);

// Undoes plan_bridge for a recorded network (its namespace file still
// there); warnings only, since the container is gone either way.
void teardown_bridge(const StorePaths& paths, const std::string& id,
                     const ContainerNetwork& network);

}  // namespace burrow::engine

// A container's network for one run: made before its init starts (the
// namespace file, pasta or slirp4netns on it, or the namespace of another
// container), recorded in its run directory, and torn down once it exited.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/container_files.h"
#include "engine/container_options.h"
#include "engine/container_store.h"
#include "engine/engine.h"
#include "rootless-net/helper_process.h"
#include "rootless-net/pasta.h"
#include "rootless-net/route_watch.h"

namespace burrow::engine {

// One bridge network a running container is on, as netavark set it up;
// teardown hands netavark the same addresses.
struct BridgeAttachment {
  std::string network;
  std::string interface;                // eth0, eth1, ...
  std::vector<std::string> static_ips;  // one per subnet, chosen at start
  std::vector<std::string> aliases;
  std::string mac;
  std::vector<std::string> addresses;  // CIDR, as netavark reports them
  std::string gateway;
};

// What is set up, as recorded for teardown and shown by inspect.
struct ContainerNetwork {
  std::string netns_path;  // the namespace file burrow made ("": none)
  net::HelperProcess helper;
  std::vector<PortMapping> ports;
  std::vector<std::string> addresses;  // the container's, without prefix
  std::string gateway;
  bool rootless = false;       // bridge: netavark ran in the rootless namespace
  std::string container_name;  // its name in aardvark-dns
  std::vector<BridgeAttachment> bridges;
};

// A network being set up: pasta runs while the container is prepared.
struct NetworkPlan {
  ContainerNetwork network;
  std::optional<net::PastaLaunch> pasta;
  std::string join_path;        // the namespace the container joins ("": new or host)
  bool foreign_netns = false;   // owned by another user namespace
  EtcFilesInput etc;            // its network part; the caller adds names
  std::string share_etc_from;   // container:NAME: that container's userdata dir
  bool bridges_set_up = false;  // netavark has run: undoing needs it again
  // pasta without options of the user's: the container may start once these
  // default routes are in its namespace (route_watch reports them),
  // without waiting for pasta to finish its own start-up.
  base::UniqueFd route_watch;
  net::DefaultRoutes expected_routes;
};

// Resolves -P against the image's exposed ports, and fills in host ports
// left open: done once, at create, so they stay the same across restarts.
// Modes that cannot publish drop the ports with a warning (host, none) or
// refuse them (container:, ns:).
Status resolve_published_ports(CreateOptions& options, const std::vector<std::string>& exposed,
                               bool publish_all);

// Starts setting up the network for `record`; on failure nothing is left.
Result<NetworkPlan> begin_network(Engine& engine, const ContainerRecord& record,
                                  const CreateOptions& options);

// What the container start must wait for: pasta configuring the namespace
// (an invalid pidfd when nothing is pending), and the file it leaves when
// it succeeded.
struct PendingNetwork {
  base::UniqueFd pidfd;
  std::string ready_file;
  int route_fd = -1;  // borrowed from the plan (-1: wait for the helper)
  net::DefaultRoutes expected_routes;
};
PendingNetwork pending_network(const NetworkPlan& plan);

// Waits for what begin_network started and records it in the run directory.
Status complete_network(Engine& engine, const ContainerRecord& record, NetworkPlan& plan);

// Undoes a plan that did not reach complete_network, or whose container
// never started.
void abandon_network(const StorePaths& paths, const std::string& id, NetworkPlan& plan);

// Stops the uplink helper and removes the namespace file recorded for the
// container; a container without a record is left alone.
void teardown_network(const StorePaths& paths, const std::string& id);

// The container's /etc/hosts, resolv.conf and hostname in userdata_dir: the
// network part from the plan, the names and the user's flags from the
// record and options; container:NAME copies that container's files.
Status write_container_etc(const std::string& userdata_dir, const ContainerRecord& record,
                           const CreateOptions& options, const NetworkPlan& network);

// Records a running container's network again (after connect/disconnect).
Status record_container_network(const StorePaths& paths, const std::string& id,
                                const ContainerNetwork& network);

// The record of a running container's network (nullopt when it has none).
std::optional<ContainerNetwork> read_container_network(const StorePaths& paths,
                                                       const std::string& id);

}  // namespace burrow::engine

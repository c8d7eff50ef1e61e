// User networks on disk: one file per network, <graph root>/networks/NAME.json,
// in netavark's schema (the file Podman writes to /etc/containers/networks),
// and the engine operations over them that also look at containers: which
// containers use a network, rm and prune. The default network ("podman") is
// never stored; it is synthesized, always listed first and never removed.
#pragma once

#include <string>
#include <vector>

#include "base/lock.h"
#include "base/result.h"
#include "engine/engine.h"
#include "engine/store_paths.h"
#include "rootless-net/network_config.h"

namespace burrow::engine {

// <graph root>/networks
std::string networks_dir(const StorePaths& paths);

// Serialises what changes the set of networks (create, rm, prune), so that
// two creates never pick the same name, subnet or bridge. Container create
// may hold it while it checks that the networks it joins exist.
Result<base::FileLock> lock_networks(const StorePaths& paths);

// A network file that does not load. Listing skips it (with a warning);
// naming it is an error that says how to remove it.
struct DamagedNetwork {
  std::string name;  // the file name without .json
  std::string path;
  Error error;
};

struct NetworkList {
  std::vector<net::Network> networks;  // the default network first, then by name
  std::vector<DamagedNetwork> damaged;
};

class NetworkStore {
 public:
  explicit NetworkStore(const StorePaths& paths);

  Result<NetworkList> list() const;
  // By name, full id or unique id prefix. ENOENT naming the reference when
  // there is none; a damaged file of that name is an error naming the file.
  Result<net::Network> find(const std::string& reference) const;
  // Validates the request, chooses what it leaves open and writes the file
  // atomically under the networks lock. EEXIST when the name is taken.
  Result<net::Network> create(const net::NetworkRequest& request) const;

  const std::string& dir() const { return dir_; }
  std::string file_of(const std::string& name) const;

 private:
  std::string dir_;
};

// The ids of the containers that join the network `name` (bridge mode).
Result<std::vector<std::string>> containers_using(Engine& engine, const std::string& name);

// network rm: refuses the default network, and a network containers use
// (EBUSY, exit status 2, naming them) unless `force`, which removes those
// containers first. A damaged file is removed too. Returns the network's name.
Result<std::string> remove_network(Engine& engine, const std::string& reference, bool force);

struct NetworkPruneReport {
  std::vector<std::string> removed;  // names
  std::vector<Error> errors;
};

// network prune: removes the networks no container uses and that pass the
// filters (until=, label=, label!=); never the default network.
Result<NetworkPruneReport> prune_networks(Engine& engine, const std::vector<std::string>& filters);

// network ls --filter: name=REGEX, id=PREFIX, driver=, label=KEY[=VALUE],
// label!=, until=, dangling=true|false. Values of one key widen the match
// (any of them), different keys narrow it (all of them), as Podman's do.
Result<std::vector<net::Network>> filter_networks(Engine& engine,
                                                  std::vector<net::Network> networks,
                                                  const std::vector<std::string>& filters);

// The network's created time in Unix nanoseconds (0 when it does not parse).
int64_t network_created_ns(const net::Network& network);

}  // namespace burrow::engine

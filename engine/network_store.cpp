// Runs in the CLI. Reading networks needs no namespace; only rm -f (which
// removes containers) needs the keeper's when rootless.
#include "engine/network_store.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "base/clock.h"
#include "base/digest.h"
#include "base/file_util.h"
#include "base/strings.h"
#include "engine/container_config.h"
#include "engine/container_logs.h"
#include "engine/container_remove.h"
#include "engine/prune_filters.h"
#include "image/timestamps.h"

namespace burrow::engine {
namespace {

// Network files are small; a larger one is not ours.
constexpr size_t kMaxNetworkFile = 1 << 20;
constexpr const char* kSuffix = ".json";

std::string now_rfc3339() {
  int64_t now = base::unix_now_ns();
  return image::format_rfc3339(
      {now / base::kNanosPerSecond, static_cast<int32_t>(now % base::kNanosPerSecond)});
}

// The entries of `dir` whose names end in `suffix`, sorted; none when the
// directory does not exist.
std::vector<std::string> entries_ending_in(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> names;
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) return names;
  while (const dirent* entry = ::readdir(handle)) {
    std::string name = entry->d_name;
    if (name.size() > suffix.size() && name.ends_with(suffix) && name.front() != '.')
      names.push_back(name);
  }
  ::closedir(handle);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> host_interfaces() { return entries_ending_in("/sys/class/net", ""); }

Result<net::Network> load_network_file(const std::string& path, const std::string& name) {
  BURROW_TRY(std::string text, base::read_file_limited(path, kMaxNetworkFile));
  BURROW_TRY(net::Network network, net::network_from_json(text));
  if (network.name != name)
    return base::failf(EINVAL, "the file holds network \"{}\", not \"{}\"", network.name, name);
  return network;
}

Error damaged_error(const DamagedNetwork& damaged) {
  return Error{EINVAL, fmt::format("network file {} is damaged: {} (remove it with `burrow network "
                                   "rm {}` or fix it by hand)",
                                   damaged.path, damaged.error.message, damaged.name)};
}

// Resolves a reference to the network's name and, when its file loads, the network.
struct Resolved {
  std::string name;
  std::optional<net::Network> network;  // nullopt: a damaged file
};

Result<Resolved> resolve(const NetworkStore& store, const std::string& reference) {
  BURROW_TRY(NetworkList list, store.list());
  for (const auto& damaged : list.damaged)
    if (damaged.name == reference) return Resolved{damaged.name, std::nullopt};
  auto found = store.find(reference);
  if (!found) return tl::unexpected(found.error());
  return Resolved{found->name, std::move(*found)};
}

bool uses_network(const ContainerRecord& record, const std::string& name, const std::string& id) {
  auto stored = stored_config(record);
  if (!stored) return false;  // an unreadable record cannot join a network
  const auto& mode = stored->options.network;
  if (mode.kind != net::NetworkKind::kBridge) return false;
  return std::any_of(mode.networks.begin(), mode.networks.end(), [&](const auto& attachment) {
    return attachment.network == name || (!id.empty() && attachment.network == id);
  });
}

Result<std::vector<ContainerRecord>> users_of(Engine& engine, const std::string& name,
                                              const std::string& id) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto records, store.list());
  std::vector<ContainerRecord> users;
  for (auto& record : records)
    if (uses_network(record, name, id)) users.push_back(std::move(record));
  return users;
}

Status unlink_network_file(const NetworkStore& store, const std::string& name) {
  std::string path = store.file_of(name);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return base::fail_errno("removing {}", path);
  return base::ok();
}

// ---- ls filters ---------------------------------------------------------

using Predicate = std::function<bool(const net::Network&)>;

bool labels_match(const net::Network& network, const std::string& wanted) {
  size_t eq = wanted.find('=');
  auto it = network.labels.find(wanted.substr(0, eq));
  if (it == network.labels.end()) return false;
  return eq == std::string::npos || it->second == wanted.substr(eq + 1);
}

Result<Predicate> name_predicate(const std::string& pattern) {
  try {
    auto regex = std::make_shared<std::regex>(pattern);
    return Predicate([regex](const net::Network& n) { return std::regex_search(n.name, *regex); });
  } catch (const std::regex_error& error) {
    return base::failf(EINVAL, "invalid name filter \"{}\": {}", pattern, error.what());
  }
}

Result<Predicate> one_filter(Engine& engine, const std::string& key, const std::string& value) {
  if (key == "name") return name_predicate(value);
  if (key == "id")
    return Predicate([value](const net::Network& n) { return n.id.starts_with(value); });
  if (key == "driver")
    return Predicate([value](const net::Network& n) { return n.driver == value; });
  if (key == "label")
    return Predicate([value](const net::Network& n) { return labels_match(n, value); });
  if (key == "label!")
    return Predicate([value](const net::Network& n) { return !labels_match(n, value); });
  if (key == "until") {
    BURROW_TRY(int64_t until, parse_log_time(value, base::unix_now_ns()));
    return Predicate([until](const net::Network& n) { return network_created_ns(n) < until; });
  }
  if (key == "dangling") {
    if (value != "true" && value != "false" && value != "1" && value != "0")
      return base::failf(EINVAL, "invalid dangling filter \"{}\": use true or false", value);
    bool want_unused = value == "true" || value == "1";
    Engine* e = &engine;
    return Predicate([e, want_unused](const net::Network& n) {
      auto users = users_of(*e, n.name, n.id);
      bool unused = users && users->empty() && n.name != net::kDefaultNetwork;
      return unused == want_unused;
    });
  }
  return base::failf(EINVAL,
                     "invalid filter \"{}\": use name, id, driver, label, label!, until or "
                     "dangling",
                     key);
}

}  // namespace

std::string networks_dir(const StorePaths& paths) {
  return base::path_join(paths.graph_root, "networks");
}

Result<base::FileLock> lock_networks(const StorePaths& paths) {
  std::string dir = networks_dir(paths);
  BURROW_CHECK(base::make_dirs(dir, 0700));
  return base::FileLock::acquire(base::path_join(dir, ".lock"));
}

int64_t network_created_ns(const net::Network& network) {
  auto time = image::parse_rfc3339(network.created);
  if (!time) return 0;
  return time->seconds * base::kNanosPerSecond + time->nanos;
}

NetworkStore::NetworkStore(const StorePaths& paths) : dir_(networks_dir(paths)) {}

std::string NetworkStore::file_of(const std::string& name) const {
  return base::path_join(dir_, name + kSuffix);
}

Result<NetworkList> NetworkStore::list() const {
  struct Loaded {
    std::string name, path;
    Result<net::Network> network;
  };
  std::vector<Loaded> files;
  // Which names each id has: a copied file repeats one, and then neither
  // copy can be trusted to be the network containers were given.
  std::map<std::string, std::vector<std::string>> names_of_id;
  names_of_id[net::kDefaultNetworkId].push_back(net::kDefaultNetwork);
  for (const auto& file : entries_ending_in(dir_, kSuffix)) {
    std::string name = file.substr(0, file.size() - std::string_view(kSuffix).size());
    std::string path = base::path_join(dir_, file);
    files.push_back({name, path, load_network_file(path, name)});
    const auto& loaded = files.back().network;
    if (loaded && loaded->name != net::kDefaultNetwork) names_of_id[loaded->id].push_back(name);
  }
  NetworkList list;
  list.networks.push_back(net::default_network(now_rfc3339()));
  for (auto& [name, path, network] : files) {
    if (network && names_of_id[network->id].size() > 1) {
      std::vector<std::string> others;
      for (const auto& other : names_of_id[network->id])
        if (other != name) others.push_back(other);
      network = base::failf(EINVAL, "its id {} is also the id of network {}",
                            network->id.substr(0, 12), base::join(others, ", "));
    }
    if (!network) {
      list.damaged.push_back({name, path, network.error()});
    } else if (name == net::kDefaultNetwork) {
      // A stored "podman" replaces the built-in default, as a Podman file of
      // that name does.
      list.networks.front() = std::move(*network);
    } else {
      list.networks.push_back(std::move(*network));
    }
  }
  return list;
}

Result<net::Network> NetworkStore::find(const std::string& reference) const {
  BURROW_TRY(NetworkList all, list());
  for (const auto& network : all.networks)
    if (network.name == reference) return network;
  for (const auto& damaged : all.damaged)
    if (damaged.name == reference) return tl::unexpected(damaged_error(damaged));
  std::vector<const net::Network*> matches;
  if (!reference.empty() && base::is_hex(reference))
    for (const auto& network : all.networks)
      if (network.id.starts_with(reference)) matches.push_back(&network);
  if (matches.size() == 1) return *matches.front();
  if (matches.size() > 1)
    return base::failf(EINVAL, "more than one network matches ID prefix \"{}\": give more of it",
                       reference);
  return base::failf(ENOENT, "unable to find network with name or ID {}: network not found",
                     reference);
}

Result<net::Network> NetworkStore::create(const net::NetworkRequest& request) const {
  BURROW_CHECK(base::make_dirs(dir_, 0700));
  BURROW_TRY(base::FileLock lock, base::FileLock::acquire(base::path_join(dir_, ".lock")));
  BURROW_TRY(NetworkList all, list());
  net::NetworkContext context;
  context.existing = all.networks;
  for (const auto& damaged : all.damaged) context.taken_names.push_back(damaged.name);
  context.host_routes = net::host_routes();
  context.host_interfaces = host_interfaces();
  context.created = now_rfc3339();
  BURROW_TRY(net::Network network, net::plan_network(request, context));
  BURROW_CHECK(base::write_file_atomic(file_of(network.name), net::network_file_text(network)));
  return network;
}

Result<std::vector<std::string>> containers_using(Engine& engine, const std::string& name) {
  BURROW_TRY(auto users, users_of(engine, name, ""));
  std::vector<std::string> ids;
  for (const auto& user : users) ids.push_back(user.id);
  return ids;
}

Result<std::string> remove_network(Engine& engine, const std::string& reference, bool force) {
  NetworkStore store(engine.paths());
  BURROW_TRY(base::FileLock lock, lock_networks(engine.paths()));
  BURROW_TRY(Resolved target, resolve(store, reference));
  if (target.name == net::kDefaultNetwork)
    return base::failf(EPERM, "default network {} cannot be removed", target.name);
  std::string id = target.network ? target.network->id : "";
  BURROW_TRY(auto users, users_of(engine, target.name, id));
  if (!users.empty() && !force) {
    std::vector<std::string> names;
    for (const auto& user : users) names.push_back(user.name);
    Error busy{EBUSY,
               fmt::format("network {} is used by container(s) {}: remove them first, or use "
                           "-f to remove them with the network",
                           target.name, base::join(names, ", ")),
               2};
    return tl::unexpected(busy);
  }
  for (const auto& user : users) {
    auto removed = remove_container(engine, user.id, true);
    if (!removed && removed.error().code != ENOENT)
      return tl::unexpected(removed.error().with_context(
          fmt::format("removing container {} of network {}", user.name, target.name)));
  }
  BURROW_CHECK(unlink_network_file(store, target.name));
  return target.name;
}

Result<NetworkPruneReport> prune_networks(Engine& engine, const std::vector<std::string>& filters) {
  BURROW_TRY(PruneFilters filter, parse_prune_filters(filters));
  NetworkStore store(engine.paths());
  BURROW_TRY(base::FileLock lock, lock_networks(engine.paths()));
  BURROW_TRY(NetworkList list, store.list());
  NetworkPruneReport report;
  for (const auto& network : list.networks) {
    if (network.name == net::kDefaultNetwork) continue;
    if (filter.until_ns && network_created_ns(network) >= *filter.until_ns) continue;
    if (!filter.labels_pass(network.labels)) continue;
    BURROW_TRY(auto users, users_of(engine, network.name, network.id));
    if (!users.empty()) continue;
    if (auto removed = unlink_network_file(store, network.name); !removed)
      report.errors.push_back(removed.error());
    else
      report.removed.push_back(network.name);
  }
  return report;
}

Result<std::vector<net::Network>> filter_networks(Engine& engine,
                                                  std::vector<net::Network> networks,
                                                  const std::vector<std::string>& filters) {
  std::map<std::string, std::vector<Predicate>> by_key;
  for (const auto& text : filters) {
    size_t eq = text.find('=');
    if (eq == std::string::npos)
      return base::failf(EINVAL, "invalid filter \"{}\": use KEY=VALUE", text);
    BURROW_TRY(Predicate predicate, one_filter(engine, text.substr(0, eq), text.substr(eq + 1)));
    by_key[text.substr(0, eq)].push_back(std::move(predicate));
  }
  std::vector<net::Network> kept;
  for (auto& network : networks) {
    bool wanted = std::all_of(by_key.begin(), by_key.end(), [&](const auto& entry) {
      const auto& [key, predicates] = entry;
      // label!= excludes on any match, so all of its values must pass.
      if (key == "label!")
        return std::all_of(predicates.begin(), predicates.end(),
                           [&](const Predicate& p) { return p(network); });
      return std::any_of(predicates.begin(), predicates.end(),
                         [&](const Predicate& p) { return p(network); });
    });
    if (wanted) kept.push_back(std::move(network));
  }
  return kept;
}

}  // namespace burrow::engine

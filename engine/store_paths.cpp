#include "engine/store_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "base/file_util.h"

namespace burrow::engine {
namespace {

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value && *value == '/' ? value : "";
}

std::string default_graph_root(const HostProfile& host) {
  if (!host.rootless) return "/var/lib/burrow";
  std::string data_home = env_or_empty("XDG_DATA_HOME");
  if (data_home.empty()) data_home = base::path_join(host.home, ".local/share");
  return base::path_join(data_home, "burrow");
}

std::string default_run_root(const HostProfile& host) {
  if (!host.rootless) return "/run/burrow";
  std::string runtime_dir = env_or_empty("XDG_RUNTIME_DIR");
  // HPC login nodes and su sessions often have no XDG_RUNTIME_DIR.
  if (runtime_dir.empty() || ::access(runtime_dir.c_str(), W_OK) != 0)
    return "/tmp/burrow-" + std::to_string(host.uid);
  return base::path_join(runtime_dir, "burrow");
}

}  // namespace

std::string StorePaths::database() const { return base::path_join(graph_root, "burrow.db"); }
std::string StorePaths::blobs() const { return graph_root; }
std::string StorePaths::layers() const { return base::path_join(graph_root, "layers"); }
std::string StorePaths::layer_dir(const std::string& diff_hex) const {
  return base::path_join(layers(), diff_hex);
}
std::string StorePaths::containers() const { return base::path_join(graph_root, "containers"); }
std::string StorePaths::container_dir(const std::string& id) const {
  return base::path_join(containers(), id);
}
std::string StorePaths::tmp() const { return base::path_join(graph_root, "tmp"); }
std::string StorePaths::container_run_dir(const std::string& id) const {
  return base::path_join(base::path_join(run_root, "containers"), id);
}

StorePaths default_store_paths(const HostProfile& host, const StoreOptions& options) {
  StorePaths paths;
  paths.graph_root = options.graph_root.value_or(default_graph_root(host));
  paths.run_root = options.run_root.value_or(default_run_root(host));
  return paths;
}

Status prepare_store_paths(const StorePaths& paths, const HostProfile& host) {
  BURROW_CHECK(base::make_dirs(paths.run_root, 0700));
  struct stat st;
  if (::stat(paths.run_root.c_str(), &st) != 0) return base::fail_errno("stat {}", paths.run_root);
  // A run root in a world-writable place could have been created by someone
  // else to capture our keeper pid file.
  // Inside burrow's user namespace file owners show as namespace ids.
  uid_t ours = host.in_user_namespace ? ::geteuid() : host.uid;
  if (st.st_uid != ours)
    return base::failf(EPERM,
                       "run root {} is owned by uid {}, not by you: remove it or pass --runroot",
                       paths.run_root, st.st_uid);
  BURROW_CHECK(base::make_dirs(paths.graph_root, 0700));
  for (const auto& dir : {paths.layers(), paths.containers(), paths.tmp()})
    BURROW_CHECK(base::make_dirs(dir, 0700));
  return base::ok();
}

}  // namespace burrow::engine

// Where burrow keeps its state: the graph root (images, layers, containers,
// the database) and the run root (keeper pid, locks, per-boot files).
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "engine/host_profile.h"

namespace burrow::engine {

struct StoreOptions {
  std::optional<std::string> graph_root;      // --root
  std::optional<std::string> run_root;        // --runroot
  std::optional<std::string> storage_driver;  // --storage-driver
};

struct StorePaths {
  std::string graph_root;
  std::string run_root;

  std::string database() const;
  std::string blobs() const;
  std::string layers() const;
  std::string layer_dir(const std::string& diff_hex) const;
  std::string containers() const;
  std::string container_dir(const std::string& id) const;
  std::string tmp() const;
  // Per-boot state of a container in the run root: the exit file the
  // monitor writes, the attach socket, the container lock.
  std::string container_run_dir(
      const std::string& id) const;  // staging on the graph root's file system
};

// Rootless: $XDG_DATA_HOME/burrow (~/.local/share/burrow) and
// $XDG_RUNTIME_DIR/burrow, else /tmp/burrow-$UID. Root: /var/lib/burrow and
// /run/burrow. Flags and the config file override both.
StorePaths default_store_paths(const HostProfile& host, const StoreOptions& options);

// Creates the directories with owner-only access where it matters and
// checks that a shared fallback run root (/tmp/burrow-UID) is really ours.
Status prepare_store_paths(const StorePaths& paths, const HostProfile& host);

}  // namespace burrow::engine

// burrow's storage configuration file, TOML in the shape of containers'
// storage.conf:
//
//   [storage]
//   driver = "overlay"            # overlay | fuse-overlayfs | vfs
//   graphroot = "/local/burrow"
//   runroot = "/run/user/1000/burrow"
//
// Rootless: $XDG_CONFIG_HOME/burrow/storage.conf (~/.config/...); root:
// /etc/burrow/storage.conf. Podman's own storage.conf is not read: its
// graphroot is Podman's store, which burrow must never write to.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "engine/host_profile.h"
#include "engine/store_paths.h"

namespace burrow::engine {

std::string store_config_path(const HostProfile& host);

// Fills the options the command line left unset. A missing file is fine; a
// malformed one is an error naming the file and the line.
Status apply_store_config(std::string_view toml_text, const std::string& origin,
                          StoreOptions& options);
Status load_store_config(const HostProfile& host, StoreOptions& options);

}  // namespace burrow::engine

// The OCI image configuration (application/vnd.oci.image.config.v1+json) and
// Docker's (application/vnd.docker.container.image.v1+json), which share the
// fields burrow uses. The image ID is the sha256 of the exact config bytes,
// so callers keep the bytes they were given; serialize_image_config is for
// configs burrow creates itself (import, commit).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace burrow::image {

// "config.Healthcheck" as Docker writes it: durations in nanoseconds, 0
// meaning "inherit the default"; Test is {"CMD-SHELL", cmd}, {"CMD", args...}
// or {"NONE"}.
struct HealthcheckConfig {
  std::vector<std::string> test;
  int64_t interval = 0;
  int64_t timeout = 0;
  int64_t start_period = 0;
  int retries = 0;

  bool operator==(const HealthcheckConfig&) const = default;
};

// The "config" object: defaults for containers made from the image.
struct ContainerConfig {
  std::string user;
  std::vector<std::string> env;  // "KEY=value"
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::vector<std::string> exposed_ports;  // keys of ExposedPorts, "80/tcp"
  std::vector<std::string> volumes;        // keys of Volumes, "/data"
  std::string stop_signal;
  std::optional<HealthcheckConfig> healthcheck;

  bool operator==(const ContainerConfig&) const = default;
};

struct RootFs {
  std::string type = "layers";
  std::vector<std::string> diff_ids;  // "sha256:<hex>" of each uncompressed layer

  bool operator==(const RootFs&) const = default;
};

struct HistoryEntry {
  std::string created;  // RFC 3339, may be empty
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;

  bool operator==(const HistoryEntry&) const = default;
};

struct ImageConfig {
  std::string created;                   // RFC 3339 as written, may be empty
  std::optional<int64_t> created_epoch;  // parsed `created`, when present and valid
  std::string author;
  std::string architecture;
  std::string os;
  std::string variant;
  ContainerConfig config;
  RootFs rootfs;
  std::vector<HistoryEntry> history;

  bool operator==(const ImageConfig&) const = default;
};

// Validates rootfs.type ("layers") and every diff_id (sha256 digests only);
// wrong field types are errors naming the field. Unknown fields are ignored.
base::Result<ImageConfig> parse_image_config(std::string_view json);

// Compact JSON in the OCI field order; empty optional fields are omitted.
std::string serialize_image_config(const ImageConfig& config);

}  // namespace burrow::image

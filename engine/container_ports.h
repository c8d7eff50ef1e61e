// `port`: the published ports of a container, as Podman lists them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/container_options.h"

namespace burrow::engine {

// "80", "80/tcp", "53/udp": the private port `port` looks up.
struct PortQuery {
  uint16_t port = 0;
  std::string protocol = "tcp";
};
Result<PortQuery> parse_port_query(const std::string& text);

// Pure. Without a query: "80/tcp -> 0.0.0.0:8080" a mapping; with one: the
// "0.0.0.0:8080" of each mapping of that port, and an Error (exit 125)
// when there is none.
Result<std::vector<std::string>> port_lines(const std::vector<PortMapping>& ports,
                                            const std::optional<PortQuery>& query);

}  // namespace burrow::engine

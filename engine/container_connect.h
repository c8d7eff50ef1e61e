// network connect / disconnect: a container joins or leaves a bridge
// network. A running container gets (or loses) the interface at once, and
// its /etc/hosts and /etc/resolv.conf are rewritten; a stopped one changes
// only its stored options, used at its next start.
#pragma once

#include <string>

#include "base/result.h"
#include "engine/engine.h"
#include "rootless-net/network_mode.h"

namespace burrow::engine {

// wanted.network names the network (name or id); aliases, static_ips and
// static_mac come from --alias, --ip/--ip6 and --mac-address.
Status connect_container(Engine& engine, const std::string& container,
                         net::NetworkAttachment wanted);

Status disconnect_container(Engine& engine, const std::string& container,
                            const std::string& network);

}  // namespace burrow::engine

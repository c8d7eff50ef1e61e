// network connect / disconnect.
#include "cli/commands.h"
#include "engine/container_connect.h"

namespace burrow::cli {
namespace {

struct ConnectFlags {
  std::string network, container;
  std::vector<std::string> aliases, ips;
  std::optional<std::string> mac;
  bool force = false;  // disconnect -f: accepted as Podman does; nothing needs forcing
};

Result<int> connect(Context& ctx, const ConnectFlags& flags) {
  net::NetworkAttachment wanted;
  wanted.network = flags.network;
  wanted.aliases = flags.aliases;
  wanted.static_ips = flags.ips;
  wanted.static_mac = flags.mac.value_or("");
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kModify));
  BURROW_CHECK(engine::connect_container(*engine, flags.container, std::move(wanted)));
  return 0;
}

Result<int> disconnect(Context& ctx, const ConnectFlags& flags) {
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kModify));
  BURROW_CHECK(engine::disconnect_container(*engine, flags.container, flags.network));
  return 0;
}

void add_network_and_container(CLI::App& cmd, ConnectFlags& flags) {
  cmd.add_option("NETWORK", flags.network, "Network, by name or ID")->required();
  cmd.add_option("CONTAINER", flags.container, "Container, by name or ID")->required();
}

}  // namespace

void add_network_connect_commands(CLI::App& network, Context& ctx) {
  if (ctx.wanted(network, "connect")) {
    auto flags = std::make_shared<ConnectFlags>();
    auto* cmd = network.add_subcommand("connect", "Connect a container to a network");
    cmd->add_option("--alias", flags->aliases, "Another name for the container on the network");
    cmd->add_option("--ip,--ip6", flags->ips, "A static address on the network");
    cmd->add_option("--mac-address", flags->mac, "A static MAC address on the network");
    add_network_and_container(*cmd, *flags);
    one_value_per_use(*cmd);
    cmd->callback([&ctx, flags] { run_command(ctx, [&] { return connect(ctx, *flags); }); });
  }
  if (ctx.wanted(network, "disconnect")) {
    auto flags = std::make_shared<ConnectFlags>();
    auto* cmd = network.add_subcommand("disconnect", "Disconnect a container from a network");
    cmd->add_flag("-f,--force", flags->force, "Accepted for compatibility");
    add_network_and_container(*cmd, *flags);
    cmd->callback([&ctx, flags] { run_command(ctx, [&] { return disconnect(ctx, *flags); }); });
  }
}

}  // namespace burrow::cli

#include "cli/network_flags.h"

#include "engine/container_files.h"

namespace burrow::cli {
namespace {

// --network-alias, --ip and --mac-address belong to the one network joined.
Status apply_attachment_flags(const NetworkFlags& flags, net::NetworkMode& mode) {
  bool any = !flags.aliases.empty() || !flags.ips.empty() || flags.mac;
  if (!any) return base::ok();
  if (mode.kind != net::NetworkKind::kBridge || mode.networks.size() != 1)
    return base::fail(EINVAL,
                      "--network-alias, --ip and --mac-address need exactly one bridge network: "
                      "with several, give them per network (--network NAME:alias=A,ip=IP)");
  auto& attachment = mode.networks.front();
  attachment.aliases.insert(attachment.aliases.end(), flags.aliases.begin(), flags.aliases.end());
  attachment.static_ips.insert(attachment.static_ips.end(), flags.ips.begin(), flags.ips.end());
  if (flags.mac) attachment.static_mac = *flags.mac;
  return base::ok();
}

}  // namespace

void add_network_flags(CLI::App& cmd, NetworkFlags& f) {
  cmd.add_option("--network,--net", f.networks,
                 "Network: pasta[:OPTIONS] (rootless default), slirp4netns[:OPTIONS], bridge "
                 "(root default), NAME[:alias=A,ip=IP], none, host, container:NAME, ns:PATH");
  cmd.add_option("-p,--publish", f.publish,
                 "Publish a port: [[IP:][HOSTPORT]:]CONTAINERPORT[/PROTOCOL], ranges allowed");
  cmd.add_flag("-P,--publish-all", f.publish_all,
               "Publish every port the image exposes on a free host port");
  cmd.add_option("--network-alias", f.aliases, "Another name the container has on its network");
  cmd.add_option("--ip,--ip6", f.ips, "A static address on the container's network");
  cmd.add_option("--mac-address", f.mac, "A static MAC address on the container's network");
  cmd.add_option("--add-host", f.add_hosts, "Add NAME:IP to /etc/hosts (IP may be host-gateway)");
  cmd.add_option("--dns", f.dns, "Name server for /etc/resolv.conf");
  cmd.add_option("--dns-search", f.dns_search, "Search domain for /etc/resolv.conf");
  cmd.add_option("--dns-option", f.dns_options, "Option for /etc/resolv.conf");
  cmd.add_flag("--no-hosts", f.no_hosts, "Keep the image's /etc/hosts");
}

Status apply_network_flags(const NetworkFlags& flags, bool rootless,
                           engine::CreateOptions& options) {
  BURROW_TRY(options.network, net::parse_network_flags(flags.networks, rootless));
  BURROW_CHECK(apply_attachment_flags(flags, options.network));
  for (const auto& spec : flags.publish) {
    BURROW_TRY(auto ports, net::parse_publish(spec));
    options.ports.insert(options.ports.end(), ports.begin(), ports.end());
  }
  options.publish_all = flags.publish_all;
  if (flags.no_hosts && !flags.add_hosts.empty())
    return base::fail(EINVAL, "--no-hosts and --add-host cannot be used together");
  for (const auto& spec : flags.add_hosts) BURROW_CHECK(engine::check_add_host(spec));
  options.add_hosts = flags.add_hosts;
  options.no_hosts = flags.no_hosts;
  options.dns_servers = flags.dns;
  options.dns_search = flags.dns_search;
  options.dns_options = flags.dns_options;
  return base::ok();
}

}  // namespace burrow::cli

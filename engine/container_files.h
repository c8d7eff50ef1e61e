// The per-container /etc/hosts, /etc/resolv.conf and /etc/hostname, written
// to the container's userdata directory and bind-mounted into it.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace burrow::engine {

// What the files say of the container's network, and the user's flags.
struct EtcFilesInput {
  std::string hostname;
  std::string container_name;
  bool host_network = false;
  std::string host_hosts;        // content of the host's /etc/hosts (host network)
  std::string host_resolv_conf;  // content of the host's /etc/resolv.conf
  // The container's own addresses: its hostname and name resolve to them.
  std::vector<std::string> addresses;
  // Where host.containers.internal points ("": not added).
  std::string host_gateway;
  // Name servers the network provides (pasta's or slirp4netns's forwarder,
  // aardvark-dns): used instead of the host's.
  std::vector<std::string> network_dns;
  std::vector<std::string> network_search;  // search domains the network adds
  // --add-host NAME:IP (NAME may be "a;b"; IP may be host-gateway), --dns,
  // --dns-search, --dns-option.
  std::vector<std::string> add_hosts;
  std::vector<std::string> dns_servers, dns_search, dns_options;
};

std::string make_hosts_file(const EtcFilesInput& input);
// Loopback name servers of the host are unreachable from a private network
// namespace; they are dropped, and public fallbacks are not invented.
std::string make_resolv_conf(const EtcFilesInput& input);

Status write_etc_files(const std::string& userdata_dir, const EtcFilesInput& input);

// "--add-host NAME:IP": a Status naming the fix for a malformed one.
Status check_add_host(const std::string& spec);

}  // namespace burrow::engine

// The per-container /etc/hosts, /etc/resolv.conf and /etc/hostname, written
// to the container's userdata directory and bind-mounted into it.
#pragma once

#include <string>

#include "base/result.h"

namespace burrow::engine {

struct EtcFilesInput {
  std::string hostname;
  std::string container_name;
  bool host_network = false;
  std::string host_resolv_conf;  // content of the host's /etc/resolv.conf
};

std::string make_hosts_file(const EtcFilesInput& input);
// Loopback name servers of the host are unreachable from a private network
// namespace; they are dropped, and public fallbacks are not invented.
std::string make_resolv_conf(const EtcFilesInput& input);

Status write_etc_files(const std::string& userdata_dir, const EtcFilesInput& input);

}  // namespace burrow::engine

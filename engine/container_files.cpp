#include "engine/container_files.h"

#include <fmt/core.h>

#include "base/file_util.h"
#include "base/strings.h"

namespace burrow::engine {

std::string make_hosts_file(const EtcFilesInput& input) {
  std::string hosts =
      "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
      "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n";
  if (!input.host_network) {
    std::string names = input.hostname;
    if (input.container_name != input.hostname) names += " " + input.container_name;
    hosts += fmt::format("127.0.1.1\t{}\n", names);
  }
  return hosts;
}

std::string make_resolv_conf(const EtcFilesInput& input) {
  if (input.host_network) return input.host_resolv_conf;
  std::string out;
  for (const auto& line : base::split(input.host_resolv_conf, '\n')) {
    std::string_view trimmed = base::trim(line);
    if (base::starts_with(trimmed, "nameserver")) {
      std::string_view server = base::trim(trimmed.substr(10));
      if (base::starts_with(server, "127.") || server == "::1") continue;
    }
    if (!trimmed.empty()) out += std::string(trimmed) + "\n";
  }
  return out;
}

Status write_etc_files(const std::string& userdata_dir, const EtcFilesInput& input) {
  // Not fsynced: they are regenerated whenever a container is created.
  BURROW_CHECK(base::write_file_atomic(base::path_join(userdata_dir, "hosts"),
                                       make_hosts_file(input), 0644, false));
  BURROW_CHECK(base::write_file_atomic(base::path_join(userdata_dir, "resolv.conf"),
                                       make_resolv_conf(input), 0644, false));
  return base::write_file_atomic(base::path_join(userdata_dir, "hostname"), input.hostname + "\n",
                                 0644, false);
}

}  // namespace burrow::engine

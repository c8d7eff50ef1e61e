#include "engine/container_files.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include "base/file_util.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "rootless-net/subnet.h"

namespace burrow::engine {
namespace {

constexpr const char* kHostGateway = "host-gateway";

// "a;b:1.2.3.4" -> "1.2.3.4\ta b"; IPv6 addresses contain colons, so the
// names end at the first one.
std::string add_host_line(const std::string& spec, const std::string& gateway) {
  size_t colon = spec.find(':');
  std::string names = spec.substr(0, colon);
  std::string ip = spec.substr(colon + 1);
  if (ip == kHostGateway) ip = gateway;
  for (auto& c : names)
    if (c == ';') c = ' ';
  return fmt::format("{}\t{}\n", ip, names);
}

struct HostResolver {
  std::vector<std::string> nameservers, search, options;
};

HostResolver parse_resolv_conf(const std::string& text) {
  HostResolver parsed;
  for (const auto& line : base::split(text, '\n')) {
    auto fields = base::split_whitespace(line);
    if (fields.size() < 2 || fields[0].front() == '#' || fields[0].front() == ';') continue;
    std::vector<std::string> values(fields.begin() + 1, fields.end());
    if (fields[0] == "nameserver") {
      parsed.nameservers.push_back(values.front());
    } else if (fields[0] == "search" || fields[0] == "domain") {
      parsed.search = values;
    } else if (fields[0] == "options") {
      parsed.options.insert(parsed.options.end(), values.begin(), values.end());
    }
  }
  return parsed;
}

bool is_loopback(const std::string& server) {
  return base::starts_with(server, "127.") || server == "::1";
}

// A file a running container has bind-mounted is rewritten in place: a
// rename would leave the container the old inode. Not fsynced: the files
// are regenerated at every start.
Status write_etc_file(const std::string& path, const std::string& content) {
  base::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return base::write_file_atomic(path, content, 0644, false);
  if (::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size()))
    return base::fail_errno("writing {}", path);
  return base::ok();
}

}  // namespace

std::string make_hosts_file(const EtcFilesInput& input) {
  std::string hosts;
  for (const auto& spec : input.add_hosts) hosts += add_host_line(spec, input.host_gateway);
  if (input.host_network) return hosts + input.host_hosts;
  hosts +=
      "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
      "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n";
  std::string names = input.hostname;
  if (input.container_name != input.hostname) names += " " + input.container_name;
  if (input.addresses.empty()) hosts += fmt::format("127.0.1.1\t{}\n", names);
  for (const auto& address : input.addresses) hosts += fmt::format("{}\t{}\n", address, names);
  if (!input.host_gateway.empty())
    hosts += fmt::format("{}\thost.containers.internal host.docker.internal\n", input.host_gateway);
  return hosts;
}

std::string make_resolv_conf(const EtcFilesInput& input) {
  HostResolver host = parse_resolv_conf(input.host_resolv_conf);
  std::vector<std::string> servers = input.dns_servers;
  if (servers.empty()) servers = input.network_dns;
  if (servers.empty())
    for (const auto& server : host.nameservers)
      if (input.host_network || !is_loopback(server)) servers.push_back(server);
  std::vector<std::string> search = input.dns_search;
  if (search.empty()) {
    search = input.network_search;
    search.insert(search.end(), host.search.begin(), host.search.end());
  }
  // "--dns-search ." means no search domains at all, as in Podman.
  if (search.size() == 1 && search.front() == ".") search.clear();
  std::vector<std::string> options = host.options;
  options.insert(options.end(), input.dns_options.begin(), input.dns_options.end());
  std::string out;
  if (!search.empty()) out += "search " + base::join(search, " ") + "\n";
  for (const auto& server : servers) out += "nameserver " + server + "\n";
  if (!options.empty()) out += "options " + base::join(options, " ") + "\n";
  return out;
}

Status write_etc_files(const std::string& userdata_dir, const EtcFilesInput& input) {
  BURROW_CHECK(write_etc_file(base::path_join(userdata_dir, "hosts"), make_hosts_file(input)));
  BURROW_CHECK(
      write_etc_file(base::path_join(userdata_dir, "resolv.conf"), make_resolv_conf(input)));
  return write_etc_file(base::path_join(userdata_dir, "hostname"), input.hostname + "\n");
}

Status check_add_host(const std::string& spec) {
  size_t colon = spec.find(':');
  std::string ip = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (colon == 0 || colon == std::string::npos || (ip != kHostGateway && !net::parse_ip(ip)))
    return base::failf(EINVAL,
                       "invalid --add-host \"{}\": use NAME:IP (IP an IPv4 or IPv6 address, or "
                       "host-gateway)",
                       spec);
  return base::ok();
}

}  // namespace burrow::engine

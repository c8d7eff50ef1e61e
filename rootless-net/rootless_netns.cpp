// Runs in the CLI process, inside the keeper's namespaces (see rootless_netns.h).
#include "rootless-net/rootless_netns.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "base/child_process.h"
#include "base/file_util.h"
#include "base/lock.h"
#include "base/scope_exit.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "rootless-net/helper_process.h"
#include "rootless-net/netns.h"
#include "rootless-net/slirp4netns.h"

namespace burrow::net {
namespace {

using nlohmann::json;

constexpr long kNsfsMagic = 0x6e736673;  // NSFS_MAGIC: a bound namespace, not a plain file

std::string pid_file(const RootlessNetns& netns) {
  return base::path_join(netns.dir, "slirp4netns.pid");
}

std::string log_file(const RootlessNetns& netns) {
  return base::path_join(netns.dir, "slirp4netns.log");
}

bool is_bound_namespace(const std::string& path) {
  struct statfs fs;
  return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == kNsfsMagic;
}

HelperProcess recorded_slirp(const RootlessNetns& netns) {
  HelperProcess helper;
  auto text = base::read_file_limited(pid_file(netns), 256);
  if (!text) return helper;
  auto fields = base::split_whitespace(*text);
  if (fields.size() != 2) return helper;
  helper.pid = std::atoi(fields[0].c_str());
  helper.start_time = fields[1];
  return helper;
}

bool is_running(const HelperProcess& helper) {
  return helper.pid > 0 && !helper.start_time.empty() &&
         base::process_start_time(helper.pid) == helper.start_time;
}

// slirp4netns as the namespace's uplink. Port forwards are added and
// removed at run time through its API socket; the host's loopback stays out
// of reach, as for slirp4netns containers.
Result<HelperProcess> start_slirp(const RootlessNetns& netns) {
  auto slirp = find_slirp4netns();
  if (!slirp)
    return base::fail(ENOENT,
                      "slirp4netns not found: rootless bridge networks need it (Debian: apt-get "
                      "install slirp4netns)");
  SlirpPlan plan{*slirp, netns.dir, netns.netns_path, log_file(netns), SlirpOptions{}, {}};
  return start_slirp4netns(plan);
}

// Removes what a previous namespace left: its slirp4netns, file and socket.
void clear_leftovers(const RootlessNetns& netns) {
  stop_helper(recorded_slirp(netns));
  (void)remove_netns_file(netns.netns_path);
  ::unlink(netns.api_socket.c_str());
  ::unlink(pid_file(netns).c_str());
}

std::string host_address(const PortMapping& port) {
  return port.host_ip.empty() ? "0.0.0.0" : port.host_ip;
}

bool same_forward(const json& entry, const PortMapping& port) {
  return entry.value("proto", "") == port.protocol &&
         entry.value("host_addr", "") == host_address(port) &&
         entry.value("host_port", 0) == port.host_port;
}

}  // namespace

RootlessNetns rootless_netns_paths(const std::string& run_root) {
  RootlessNetns netns;
  netns.dir = base::path_join(run_root, "rootless-netns");
  netns.netns_path = base::path_join(netns.dir, "netns");
  netns.api_socket = base::path_join(netns.dir, "slirp4netns.sock");
  return netns;
}

Result<RootlessNetns> ensure_rootless_netns(const std::string& run_root) {
  BURROW_TRY(auto lock, base::FileLock::acquire(base::path_join(run_root, "rootless-netns.lock")));
  RootlessNetns netns = rootless_netns_paths(run_root);
  if (is_bound_namespace(netns.netns_path) && is_running(recorded_slirp(netns))) return netns;
  clear_leftovers(netns);
  BURROW_CHECK(base::make_dirs(netns.dir, 0700));
  BURROW_CHECK(create_netns_file(netns.netns_path));
  base::ScopeExit remove_netns([&] { (void)remove_netns_file(netns.netns_path); });
  auto helper = start_slirp(netns);
  if (!helper) return tl::unexpected(helper.error().with_context("rootless network namespace"));
  auto recorded = base::write_file_atomic(
      pid_file(netns), fmt::format("{} {}\n", helper->pid, helper->start_time), 0600, false);
  if (!recorded) {
    stop_helper(*helper);
    return tl::unexpected(recorded.error());
  }
  remove_netns.dismiss();
  return netns;
}

Status remove_rootless_netns(const std::string& run_root) {
  BURROW_TRY(auto lock, base::FileLock::acquire(base::path_join(run_root, "rootless-netns.lock")));
  RootlessNetns netns = rootless_netns_paths(run_root);
  clear_leftovers(netns);
  return base::ok();
}

Status add_rootless_port_forwards(const RootlessNetns& netns,
                                  const std::vector<PortMapping>& ports) {
  std::vector<PortMapping> added;
  for (const auto& port : ports) {
    if (port.host_ip.find(':') != std::string::npos) {
      (void)remove_rootless_port_forwards(netns, added);
      return base::failf(EINVAL,
                         "publishing on the IPv6 address {} is not supported for rootless "
                         "bridge networks",
                         port.host_ip);
    }
    json request = {{"execute", "add_hostfwd"},
                    {"arguments",
                     {{"proto", port.protocol},
                      {"host_addr", host_address(port)},
                      {"host_port", port.host_port},
                      {"guest_addr", kRootlessNetnsAddress},
                      {"guest_port", port.host_port}}}};
    auto reply = slirp_api_call(netns.dir, request);
    if (!reply) {
      (void)remove_rootless_port_forwards(netns, added);
      return tl::unexpected(reply.error().with_context(
          fmt::format("publishing {}:{}/{}", host_address(port), port.host_port, port.protocol)));
    }
    added.push_back(port);
  }
  return base::ok();
}

Status remove_rootless_port_forwards(const RootlessNetns& netns,
                                     const std::vector<PortMapping>& ports) {
  if (ports.empty()) return base::ok();
  BURROW_TRY(json listing, slirp_api_call(netns.dir, {{"execute", "list_hostfwd"}}));
  json entries = listing.value("entries", json::array());
  for (const auto& port : ports) {
    for (const auto& entry : entries) {
      if (!entry.is_object() || !same_forward(entry, port)) continue;
      BURROW_CHECK(slirp_api_call(netns.dir, {{"execute", "remove_hostfwd"},
                                              {"arguments", {{"id", entry.value("id", -1)}}}}));
    }
  }
  return base::ok();
}

std::vector<PortMapping> rootless_netavark_ports(std::vector<PortMapping> ports) {
  for (auto& port : ports) port.host_ip.clear();
  return ports;
}

}  // namespace burrow::net

// Runs in the CLI process, inside the keeper's namespaces (see rootless_netns.h).
#include "rootless-net/rootless_netns.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/child_process.h"
#include "base/file_util.h"
#include "base/lock.h"
#include "base/scope_exit.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "rootless-net/helper_process.h"
#include "rootless-net/netns.h"

namespace burrow::net {
namespace {

using nlohmann::json;

constexpr long kNsfsMagic = 0x6e736673;  // NSFS_MAGIC: a bound namespace, not a plain file
constexpr int kReadyTimeoutMs = 10000;

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

// Waits for slirp4netns to write its ready byte; EOF means it exited.
Status wait_ready(int ready_fd, const std::string& log_path) {
  pollfd wait{ready_fd, POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&wait, 1, kReadyTimeoutMs);
  } while (ready < 0 && errno == EINTR);
  char byte = 0;
  if (ready > 0 && ::read(ready_fd, &byte, 1) == 1) return base::ok();
  std::string tail = helper_log_tail(log_path);
  return base::failf(EIO, "slirp4netns did not start the rootless network namespace{}{}",
                     tail.empty() ? "" : ": ", tail);
}

Result<HelperProcess> start_slirp(const RootlessNetns& netns) {
  std::string slirp = base::find_program("slirp4netns");
  if (slirp.empty())
    return base::fail(ENOENT,
                      "slirp4netns not found: rootless bridge networks need it (Debian: apt-get "
                      "install slirp4netns)");
  int ready_fds[2];
  if (::pipe2(ready_fds, O_CLOEXEC) != 0) return base::fail_errno("pipe");
  base::UniqueFd ready_read(ready_fds[0]);
  base::UniqueFd ready_write(ready_fds[1]);
  // Port forwards are added and removed at run time through the API socket;
  // host loopback stays out of reach, as for slirp4netns containers.
  std::vector<std::string> argv = {slirp,
                                   "--configure",
                                   "--mtu=65520",
                                   "--disable-host-loopback",
                                   "--api-socket=" + netns.api_socket,
                                   fmt::format("--ready-fd={}", kPassedFd),
                                   "--netns-type=path",
                                   netns.netns_path,
                                   "tap0"};
  BURROW_TRY(pid_t pid, spawn_helper(argv, "/", log_file(netns), ready_write.get()));
  ready_write.reset();
  HelperProcess helper{pid, base::process_start_time(pid)};
  if (auto ready = wait_ready(ready_read.get(), log_file(netns)); !ready) {
    stop_helper(helper);
    return tl::unexpected(ready.error());
  }
  return helper;
}

// Removes what a previous namespace left: its slirp4netns, file and socket.
void clear_leftovers(const RootlessNetns& netns) {
  stop_helper(recorded_slirp(netns));
  (void)remove_netns_file(netns.netns_path);
  ::unlink(netns.api_socket.c_str());
  ::unlink(pid_file(netns).c_str());
}

// One request to slirp4netns's API socket and its parsed reply.
Result<json> slirp_api(const RootlessNetns& netns, const json& request) {
  base::UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) return base::fail_errno("socket");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (netns.api_socket.size() >= sizeof address.sun_path)
    return base::failf(ENAMETOOLONG, "slirp4netns socket path too long: {}", netns.api_socket);
  std::strncpy(address.sun_path, netns.api_socket.c_str(), sizeof address.sun_path - 1);
  if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    return base::fail_errno("connecting to slirp4netns at {}", netns.api_socket);
  BURROW_CHECK(base::write_all(sock.get(), request.dump()));
  ::shutdown(sock.get(), SHUT_WR);
  BURROW_TRY(std::string reply_text, base::read_fd(sock.get(), 1 << 20));
  json reply = json::parse(reply_text, nullptr, false);
  if (!reply.is_object())
    return base::failf(EPROTO, "slirp4netns: unexpected reply {:.200}", reply_text);
  if (reply.contains("error")) {
    std::string desc = reply["error"].is_object() ? reply["error"].value("desc", "") : "";
    return base::failf(EIO, "slirp4netns: {}", desc.empty() ? reply["error"].dump() : desc);
  }
  // add_hostfwd wraps its answer in "return"; list_hostfwd (slirp4netns 1.2) does not.
  return reply.contains("return") ? reply["return"] : reply;
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
    auto reply = slirp_api(netns, request);
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
  BURROW_TRY(json listing, slirp_api(netns, {{"execute", "list_hostfwd"}}));
  json entries = listing.value("entries", json::array());
  for (const auto& port : ports) {
    for (const auto& entry : entries) {
      if (!entry.is_object() || !same_forward(entry, port)) continue;
      BURROW_CHECK(slirp_api(
          netns, {{"execute", "remove_hostfwd"}, {"arguments", {{"id", entry.value("id", -1)}}}}));
    }
  }
  return base::ok();
}

std::vector<PortMapping> rootless_netavark_ports(std::vector<PortMapping> ports) {
  for (auto& port : ports) port.host_ip.clear();
  return ports;
}

}  // namespace burrow::net

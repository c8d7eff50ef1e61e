#include "rootless-net/slirp4netns.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/child_process.h"
#include "base/file_util.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "rootless-net/subnet.h"

namespace burrow::net {
namespace {

// How long slirp4netns may take to configure the namespace.
constexpr int kReadyTimeoutMs = 30000;

Result<bool> parse_bool(const std::string& key, const std::string& value) {
  if (value == "true") return true;
  if (value == "false") return false;
  return base::failf(EINVAL, "slirp4netns option {}={}: use true or false", key, value);
}

Status apply_slirp_option(SlirpOptions& options, const std::string& key, const std::string& value) {
  if (key == "allow_host_loopback") {
    BURROW_TRY(options.allow_host_loopback, parse_bool(key, value));
  } else if (key == "enable_ipv6") {
    BURROW_TRY(options.enable_ipv6, parse_bool(key, value));
  } else if (key == "mtu") {
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), options.mtu);
    if (ec != std::errc() || end != value.data() + value.size() || options.mtu < 68 ||
        options.mtu > 65521)
      return base::failf(EINVAL, "slirp4netns option mtu={}: use a number from 68 to 65521", value);
  } else if (key == "cidr") {
    options.cidr = value;
    BURROW_TRY(auto addresses, slirp_addresses(options));
  } else if (key == "outbound_addr") {
    options.outbound_addr = value;
  } else if (key == "outbound_addr6") {
    options.outbound_addr6 = value;
  } else if (key == "port_handler") {
    if (value != "slirp4netns")
      return base::failf(EINVAL,
                         "slirp4netns option port_handler={} is not supported: burrow forwards "
                         "ports through slirp4netns itself (port_handler=slirp4netns)",
                         value);
  } else {
    return base::failf(EINVAL,
                       "unknown slirp4netns option \"{}\": use allow_host_loopback, enable_ipv6, "
                       "mtu, cidr, outbound_addr, outbound_addr6 or port_handler",
                       key);
  }
  return base::ok();
}

Status forward_port(const std::string& work_dir, const PortMapping& port) {
  std::string host = port.host_ip.empty() ? "0.0.0.0" : port.host_ip;
  nlohmann::json request = {{"execute", "add_hostfwd"},
                            {"arguments",
                             {{"proto", port.protocol},
                              {"host_addr", host},
                              {"host_port", port.host_port},
                              {"guest_port", port.container_port}}}};
  auto reply = slirp_api_call(work_dir, request);
  if (!reply)
    return base::failf(EADDRINUSE, "slirp4netns could not publish {}:{}/{}: {}", host,
                       port.host_port, port.protocol, reply.error().message);
  return base::ok();
}

// Waits for slirp4netns's "1" on the ready pipe; false when it exited.
Result<bool> wait_ready(int ready_fd) {
  pollfd fd{ready_fd, POLLIN, 0};
  int rc;
  do {
    rc = ::poll(&fd, 1, kReadyTimeoutMs);
  } while (rc < 0 && errno == EINTR);
  if (rc == 0) return base::fail(ETIMEDOUT, "slirp4netns did not configure the network in time");
  char byte = 0;
  return ::read(ready_fd, &byte, 1) == 1;
}

}  // namespace

std::optional<std::string> find_slirp4netns() {
  std::string path = base::find_program("slirp4netns");
  if (path.empty()) return std::nullopt;
  return path;
}

Result<SlirpOptions> parse_slirp_options(const std::vector<std::string>& options) {
  SlirpOptions parsed;
  for (const auto& option : options) {
    size_t eq = option.find('=');
    if (eq == std::string::npos || eq + 1 == option.size())
      return base::failf(EINVAL, "slirp4netns option \"{}\" needs a value: use KEY=VALUE", option);
    BURROW_CHECK(apply_slirp_option(parsed, option.substr(0, eq), option.substr(eq + 1)));
  }
  return parsed;
}

Result<SlirpAddresses> slirp_addresses(const SlirpOptions& options) {
  auto subnet = parse_subnet(options.cidr);
  // slirp4netns wants room for .100 in the network.
  if (!subnet || subnet->v6() || subnet->prefix < 1 || subnet->prefix > 25)
    return base::failf(EINVAL, "slirp4netns option cidr={}: use an IPv4 network of /25 or larger",
                       options.cidr);
  auto host = [&](uint64_t offset) { return format_ip(ip_add(subnet->address, offset)); };
  return SlirpAddresses{host(100), host(2), host(3), subnet->prefix};
}

std::vector<std::string> slirp_arguments(const SlirpPlan& plan, int ready_fd) {
  const SlirpOptions& o = plan.options;
  std::vector<std::string> args = {
      plan.slirp4netns,   "--configure",       fmt::format("--mtu={}", o.mtu),
      "--cidr=" + o.cidr, "--netns-type=path", fmt::format("--ready-fd={}", ready_fd),
      "--api-socket",     kSlirpApiSocket};
  if (!o.allow_host_loopback) args.push_back("--disable-host-loopback");
  if (o.enable_ipv6) args.push_back("--enable-ipv6");
  if (!o.outbound_addr.empty()) args.push_back("--outbound-addr=" + o.outbound_addr);
  if (!o.outbound_addr6.empty()) args.push_back("--outbound-addr6=" + o.outbound_addr6);
  args.insert(args.end(), {plan.netns_path, "tap0"});
  return args;
}

Result<HelperProcess> start_slirp4netns(const SlirpPlan& plan) {
  int ready_pipe[2];
  if (::pipe2(ready_pipe, O_CLOEXEC) != 0) return base::fail_errno("creating a pipe");
  base::UniqueFd ready_read(ready_pipe[0]), ready_write(ready_pipe[1]);
  BURROW_TRY(pid_t pid, spawn_helper(slirp_arguments(plan, kPassedFd), plan.work_dir, plan.log_file,
                                     ready_write.get()));
  ready_write.reset();
  HelperProcess helper{pid, base::process_start_time(pid)};
  auto ready = wait_ready(ready_read.get());
  Status status = base::ok();
  if (!ready) {
    status = tl::unexpected(ready.error());
  } else if (!*ready) {
    status = base::failf(EIO, "slirp4netns could not set up the container's network: {}",
                         helper_log_tail(plan.log_file));
  }
  for (size_t i = 0; status && i < plan.ports.size(); ++i)
    status = forward_port(plan.work_dir, plan.ports[i]);
  if (!status) {
    ::kill(pid, SIGKILL);
    (void)base::wait_exit_code(pid);
    return tl::unexpected(status.error());
  }
  return helper;
}

Result<nlohmann::json> slirp_api_call(const std::string& work_dir, const nlohmann::json& request) {
  base::UniqueFd dir(::open(work_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return base::fail_errno("opening {}", work_dir);
  // Through the directory's descriptor the path stays short.
  std::string socket_path = fmt::format("/proc/self/fd/{}/{}", dir.get(), kSlirpApiSocket);
  base::UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) return base::fail_errno("creating a socket");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size());
  if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    return base::fail_errno("connecting to slirp4netns's API socket in {}", work_dir);
  BURROW_CHECK(base::write_all(sock.get(), request.dump()));
  ::shutdown(sock.get(), SHUT_WR);
  BURROW_TRY(std::string text, base::read_fd(sock.get(), 1 << 20));
  auto reply = nlohmann::json::parse(text, nullptr, false);
  if (reply.is_discarded() || !reply.is_object())
    return base::failf(EPROTO, "slirp4netns answered \"{:.200}\"", text);
  if (auto error = reply.find("error"); error != reply.end()) {
    std::string desc = error->is_object() ? error->value("desc", "") : "";
    return base::failf(EIO, "slirp4netns: {}", desc.empty() ? error->dump() : desc);
  }
  // add_hostfwd wraps its answer in "return"; list_hostfwd (1.2) does not.
  return reply.contains("return") ? reply["return"] : reply;
}

}  // namespace burrow::net

// Runs in the CLI process (see netavark.h).
#include "rootless-net/netavark.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "base/child_process.h"
#include "base/file_util.h"
#include "base/log.h"
#include "base/strings.h"
#include "base/unique_fd.h"

extern char** environ;

namespace burrow::net {
namespace {

using nlohmann::json;

bool is_executable_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// "[::1]" as the -p syntax writes it; netavark wants the bare address.
std::string bare_address(const std::string& address) {
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']')
    return address.substr(1, address.size() - 2);
  return address;
}

bool continues_range(const PortMapping& previous, uint16_t range, const PortMapping& next) {
  return next.host_ip == previous.host_ip && next.protocol == previous.protocol &&
         previous.host_port != 0 && next.host_port == previous.host_port + range &&
         next.container_port == previous.container_port + range;
}

json port_mappings_json(const std::vector<PortMapping>& ports) {
  json mappings = json::array();
  size_t i = 0;
  while (i < ports.size()) {
    const PortMapping& first = ports[i];
    uint16_t range = 1;
    while (i + range < ports.size() && continues_range(first, range, ports[i + range])) ++range;
    mappings.push_back({{"host_ip", bare_address(first.host_ip)},
                        {"container_port", first.container_port},
                        {"host_port", first.host_port},
                        {"range", range},
                        {"protocol", first.protocol}});
    i += range;
  }
  return mappings;
}

json per_network_json(const NetavarkAttach& attach) {
  json options = {{"interface_name", attach.interface_name}};
  if (!attach.static_ips.empty()) options["static_ips"] = attach.static_ips;
  if (!attach.aliases.empty()) options["aliases"] = attach.aliases;
  if (!attach.static_mac.empty()) options["static_mac"] = attach.static_mac;
  return options;
}

// Subnets netavark's host-local IPAM wants an address for; other IPAM
// drivers ("none") take none.
size_t addresses_needed(const json& definition) {
  auto ipam = definition.find("ipam_options");
  if (ipam != definition.end() && ipam->is_object()) {
    auto driver = ipam->find("driver");
    if (driver != ipam->end() && driver->is_string() && *driver != "host-local") return 0;
  }
  auto subnets = definition.find("subnets");
  return subnets != definition.end() && subnets->is_array() ? subnets->size() : 0;
}

Status check_attach(const NetavarkAttach& attach) {
  if (attach.network.empty()) return base::fail(EINVAL, "a network without a name");
  if (!attach.definition.is_object())
    return base::failf(EINVAL, "network {}: its definition is not a JSON object", attach.network);
  auto name = attach.definition.find("name");
  if (name == attach.definition.end() || !name->is_string() || *name != attach.network)
    return base::failf(EINVAL, "network {}: its definition names another network", attach.network);
  if (attach.interface_name.empty())
    return base::failf(EINVAL, "network {}: no interface name for the container", attach.network);
  size_t needed = addresses_needed(attach.definition);
  if (attach.static_ips.size() < needed)
    return base::failf(EINVAL,
                       "network {}: {} address(es) for {} subnet(s); netavark needs one per subnet",
                       attach.network, attach.static_ips.size(), needed);
  return base::ok();
}

Status check_port(const PortMapping& port) {
  if (port.protocol != "tcp" && port.protocol != "udp" && port.protocol != "sctp")
    return base::failf(EINVAL, "port {}: protocol {} is not tcp, udp or sctp", port.container_port,
                       port.protocol);
  if (port.host_port == 0 || port.container_port == 0)
    return base::failf(EINVAL, "port mapping {}:{} has no port (0)", port.host_port,
                       port.container_port);
  return base::ok();
}

std::vector<std::string> string_list(const json& block, const char* key) {
  std::vector<std::string> values;
  auto it = block.find(key);
  if (it == block.end() || !it->is_array()) return values;
  for (const auto& value : *it) {
    if (value.is_string()) values.push_back(value.get<std::string>());
  }
  return values;
}

Result<NetworkStatus> status_from_block(const std::string& network, const json& block) {
  if (!block.is_object()) return base::failf(EPROTO, "network {}: not a status block", network);
  NetworkStatus status;
  status.network = network;
  status.dns_server_ips = string_list(block, "dns_server_ips");
  status.dns_search_domains = string_list(block, "dns_search_domains");
  auto interfaces = block.find("interfaces");
  if (interfaces == block.end() || interfaces->is_null()) return status;
  if (!interfaces->is_object() || interfaces->size() > 1)
    return base::failf(EPROTO, "network {}: expected one interface", network);
  for (const auto& [name, interface] : interfaces->items()) {
    status.interface = name;
    status.mac = interface.value("mac_address", "");
    auto subnets = interface.find("subnets");
    if (subnets == interface.end() || !subnets->is_array()) continue;
    for (const auto& subnet : *subnets) {
      if (!subnet.is_object()) continue;
      std::string address = subnet.value("ipnet", "");
      if (!address.empty()) status.addresses.push_back(address);
      auto gateway = subnet.find("gateway");
      if (gateway != subnet.end() && gateway->is_string())
        status.gateways.push_back(gateway->get<std::string>());
    }
  }
  return status;
}

// What netavark said, without the log lines it may print around its JSON.
std::string netavark_message(const NetavarkFailure& failure) {
  for (const auto& line : base::split(failure.stdout_text, '\n')) {
    json parsed = json::parse(line, nullptr, false);
    if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string())
      return parsed["error"].get<std::string>();
  }
  std::vector<std::string> lines;
  for (const auto& line : base::split(failure.stderr_text, '\n')) {
    std::string_view trimmed = base::trim(line);
    // Debian's build reports a missing syslog socket on every run.
    if (!trimmed.empty() && !base::starts_with(trimmed, "failed to connect to syslog"))
      lines.emplace_back(trimmed);
  }
  if (lines.size() > 3) lines.erase(lines.begin(), lines.end() - 3);
  if (!lines.empty()) return base::join(lines, "; ");
  if (failure.exit_code > 128) return fmt::format("killed by signal {}", failure.exit_code - 128);
  return fmt::format("exit status {} without an error message", failure.exit_code);
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The fix for the failures users meet; "" when netavark's text says enough.
std::string netavark_hint(const NetavarkFailure& failure, const std::string& message) {
  if (!failure.iptables_found && contains(message, "No such file or directory"))
    return "iptables was not found: install iptables (netavark 1.4 writes bridge networks' "
           "firewall rules with it)";
  if (contains(message, "invalid namespace path") || contains(message, "open container netns"))
    return "the container's network namespace is gone";
  if (contains(message, "nftables support presently not available") ||
      contains(message, "valid firewall backend"))
    return "netavark 1.4 supports only iptables: unset NETAVARK_FW";
  if (contains(message, "dns entries") || contains(message, "aardvark"))
    return "check aardvark-dns (Debian: install aardvark-dns), or create the network with "
           "--disable-dns";
  if (!failure.rootless &&
      (contains(message, "Operation not permitted") || contains(message, "Permission denied")))
    return "bridge networks need root, or a rootless network namespace for rootless containers";
  if (contains(message, "File exists"))
    return "an interface of that name already exists: the network may already be set up";
  return "";
}

std::string joined_path(const std::vector<std::string>& dirs) { return base::join(dirs, ":"); }

// The environment netavark runs with: iptables lives in /usr/sbin, which
// Debian leaves out of unprivileged users' PATH; netavark logs at burrow's level.
std::vector<std::string> netavark_environment() {
  std::vector<std::string> environment;
  std::string path;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    if (base::starts_with(text, "PATH="))
      path = std::string(text.substr(5));
    else if (!base::starts_with(text, "RUST_LOG="))
      environment.emplace_back(text);
  }
  std::vector<std::string> dirs = base::split(path, ':');
  for (const char* wanted : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
    if (std::find(dirs.begin(), dirs.end(), wanted) == dirs.end()) dirs.emplace_back(wanted);
  }
  dirs.erase(std::remove(dirs.begin(), dirs.end(), ""), dirs.end());
  environment.push_back("PATH=" + joined_path(dirs));
  environment.push_back(base::log_level() <= base::LogLevel::kDebug ? "RUST_LOG=netavark=debug"
                                                                    : "RUST_LOG=netavark=warn");
  return environment;
}

Result<base::UniqueFd> memory_file(const char* name, std::string_view content) {
  base::UniqueFd fd(::memfd_create(name, MFD_CLOEXEC));
  if (!fd) return base::fail_errno("memfd_create");
  BURROW_CHECK(base::write_all(fd.get(), content));
  if (::lseek(fd.get(), 0, SEEK_SET) != 0) return base::fail_errno("lseek");
  return fd;
}

Result<std::string> memory_file_text(int fd) {
  if (::lseek(fd, 0, SEEK_SET) != 0) return base::fail_errno("lseek");
  return base::read_fd(fd, 1 << 20);
}

struct ChildFds {
  int in, out, err, host_ns, report;
};

// Between fork and exec: only async-signal-safe calls. A failure goes to
// the report pipe as an errno and the child exits.
[[noreturn]] void exec_netavark_child(const ChildFds& fds, char* const argv[], char* const envp[]) {
  int error = 0;
  if (fds.host_ns >= 0 && ::setns(fds.host_ns, CLONE_NEWNET) != 0) error = errno;
  if (error == 0 && (::dup2(fds.in, 0) < 0 || ::dup2(fds.out, 1) < 0 || ::dup2(fds.err, 2) < 0))
    error = errno;
  if (error == 0) {
    ::execve(argv[0], argv, envp);
    error = errno;
  }
  ssize_t ignored = ::write(fds.report, &error, sizeof error);
  (void)ignored;
  ::_exit(127);
}

struct NetavarkRun {
  int exit_code = 0;
  std::string stdout_text;
  std::string stderr_text;
};

// stdin, stdout and stderr are memory files rather than pipes: nothing can
// block on a full pipe, and aardvark-dns, which netavark starts and which
// outlives it, holds none of our descriptors.
Result<NetavarkRun> run_netavark(const NetavarkEnv& env, const std::vector<std::string>& argv,
                                 const std::string& input) {
  BURROW_TRY(base::UniqueFd in, memory_file("netavark-stdin", input));
  BURROW_TRY(base::UniqueFd out, memory_file("netavark-stdout", ""));
  BURROW_TRY(base::UniqueFd err, memory_file("netavark-stderr", ""));
  base::UniqueFd host_ns;
  if (!env.host_netns.empty()) {
    host_ns = base::UniqueFd(::open(env.host_netns.c_str(), O_RDONLY | O_CLOEXEC));
    if (!host_ns)
      return base::fail_errno("opening the rootless network namespace {}", env.host_netns);
  }
  int report_fds[2];
  if (::pipe2(report_fds, O_CLOEXEC) != 0) return base::fail_errno("pipe");
  base::UniqueFd report_read(report_fds[0]);
  base::UniqueFd report_write(report_fds[1]);

  std::vector<std::string> environment = netavark_environment();
  std::vector<char*> c_argv, c_env;
  for (const auto& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);
  for (const auto& entry : environment) c_env.push_back(const_cast<char*>(entry.c_str()));
  c_env.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) return base::fail_errno("starting {}", argv[0]);
  if (pid == 0)
    exec_netavark_child(
        {in.get(), out.get(), err.get(), host_ns ? host_ns.get() : -1, report_write.get()},
        c_argv.data(), c_env.data());
  report_write.reset();
  int child_errno = 0;
  ssize_t got;
  do {
    got = ::read(report_read.get(), &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  BURROW_TRY(int exit_code, base::wait_exit_code(pid));
  if (got == static_cast<ssize_t>(sizeof child_errno)) {
    errno = child_errno;
    return base::fail_errno("starting {}{}", argv[0],
                            host_ns ? " in the rootless network namespace" : "");
  }
  NetavarkRun run;
  run.exit_code = exit_code;
  BURROW_TRY(run.stdout_text, memory_file_text(out.get()));
  BURROW_TRY(run.stderr_text, memory_file_text(err.get()));
  return run;
}

// Runs one netavark command; a failure becomes netavark_error's message.
Result<std::string> netavark_command(const NetavarkEnv& env, const std::string& action,
                                     const std::string& netns_path,
                                     const NetavarkRequest& request) {
  if (env.netavark.empty())
    return base::fail(ENOENT,
                      "netavark not found: install netavark and aardvark-dns (Debian: apt-get "
                      "install netavark aardvark-dns)");
  BURROW_CHECK(check_netavark_request(request));
  BURROW_CHECK(base::make_dirs(env.config_dir, 0700));
  std::vector<std::string> argv = {env.netavark,
                                   "--config=" + env.config_dir,
                                   env.rootless ? "--rootless=true" : "--rootless=false",
                                   "--aardvark-binary=" + env.aardvark,
                                   action,
                                   netns_path};
  std::string input = netavark_request_json(request).dump();
  base::debug("netavark command: printf '%s' '{}' | {}", input, base::join(argv, " "));
  BURROW_TRY(NetavarkRun run, run_netavark(env, argv, input));
  for (const auto& line : base::split(run.stderr_text, '\n')) {
    if (!base::trim(line).empty()) base::debug("netavark: {}", line);
  }
  if (run.exit_code != 0) {
    return tl::unexpected(netavark_error({action, run.exit_code, run.stdout_text, run.stderr_text,
                                          !base::find_program("iptables").empty(), env.rootless}));
  }
  return run.stdout_text;
}

}  // namespace

std::vector<std::string> default_helper_dirs() {
  return {"/usr/local/libexec/podman", "/usr/local/lib/podman", "/usr/libexec/podman",
          "/usr/lib/podman"};
}

std::optional<NetavarkEnv> find_netavark(const std::string& config_dir, bool rootless) {
  return find_netavark(config_dir, rootless, default_helper_dirs());
}

std::optional<NetavarkEnv> find_netavark(const std::string& config_dir, bool rootless,
                                         const std::vector<std::string>& helper_dirs) {
  NetavarkEnv env;
  env.config_dir = config_dir;
  env.rootless = rootless;
  for (const auto& dir : helper_dirs) {
    std::string netavark = base::path_join(dir, "netavark");
    std::string aardvark = base::path_join(dir, "aardvark-dns");
    if (env.netavark.empty() && is_executable_file(netavark)) env.netavark = netavark;
    if (env.aardvark.empty() && is_executable_file(aardvark)) env.aardvark = aardvark;
  }
  if (env.netavark.empty()) return std::nullopt;
  return env;
}

Status check_netavark_request(const NetavarkRequest& request) {
  if (request.container_id.empty()) return base::fail(EINVAL, "netavark: no container id");
  if (request.container_name.empty()) return base::fail(EINVAL, "netavark: no container name");
  if (request.networks.empty()) return base::fail(EINVAL, "netavark: no network to set up");
  std::set<std::string> networks, interfaces;
  for (const auto& attach : request.networks) {
    BURROW_CHECK(check_attach(attach));
    if (!networks.insert(attach.network).second)
      return base::failf(EINVAL, "network {} is joined twice", attach.network);
    if (!interfaces.insert(attach.interface_name).second)
      return base::failf(EINVAL, "interface {} is used by two networks", attach.interface_name);
  }
  for (const auto& port : request.ports) BURROW_CHECK(check_port(port));
  return base::ok();
}

nlohmann::json netavark_request_json(const NetavarkRequest& request) {
  json networks = json::object();
  json network_info = json::object();
  for (const auto& attach : request.networks) {
    networks[attach.network] = per_network_json(attach);
    network_info[attach.network] = attach.definition;
  }
  json options = {{"container_id", request.container_id},
                  {"container_name", request.container_name},
                  {"networks", networks},
                  {"network_info", network_info}};
  if (!request.ports.empty()) options["port_mappings"] = port_mappings_json(request.ports);
  if (!request.dns_servers.empty()) options["dns_servers"] = request.dns_servers;
  return options;
}

Result<std::vector<NetworkStatus>> parse_netavark_status(std::string_view text) {
  json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return base::failf(EPROTO, "netavark printed no status: {:.200}", base::trim(text));
  if (parsed.contains("error") && parsed["error"].is_string())
    return base::failf(EPROTO, "netavark: {}", parsed["error"].get<std::string>());
  std::vector<NetworkStatus> statuses;
  for (const auto& [network, block] : parsed.items()) {
    auto status = status_from_block(network, block);
    if (!status) return tl::unexpected(status.error().with_context("reading netavark's status"));
    statuses.push_back(std::move(*status));
  }
  return statuses;
}

Error netavark_error(const NetavarkFailure& failure) {
  std::string message = netavark_message(failure);
  std::string hint = netavark_hint(failure, message);
  std::string text = fmt::format("netavark {}: {}", failure.action, message);
  if (!hint.empty()) text += ": " + hint;
  return Error{EIO, text};
}

Result<std::vector<NetworkStatus>> netavark_setup(const NetavarkEnv& env,
                                                  const std::string& netns_path,
                                                  const NetavarkRequest& request) {
  BURROW_TRY(std::string output, netavark_command(env, "setup", netns_path, request));
  BURROW_TRY(std::vector<NetworkStatus> statuses, parse_netavark_status(output));
  std::map<std::string, NetworkStatus> by_network;
  for (auto& status : statuses) by_network[status.network] = std::move(status);
  std::vector<NetworkStatus> ordered;
  for (const auto& attach : request.networks) {
    auto it = by_network.find(attach.network);
    if (it == by_network.end())
      return base::failf(EPROTO, "netavark setup: no status for network {}", attach.network);
    ordered.push_back(std::move(it->second));
  }
  return ordered;
}

Status netavark_teardown(const NetavarkEnv& env, const std::string& netns_path,
                         const NetavarkRequest& request) {
  BURROW_CHECK(netavark_command(env, "teardown", netns_path, request));
  return base::ok();
}

}  // namespace burrow::net

#include "rootless-net/pasta.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "base/child_process.h"
#include "base/file_util.h"
#include "base/strings.h"

namespace burrow::net {
namespace {

// "IP/HOST:CONTAINER" in pasta's -t/-u syntax (no brackets around IPv6).
std::string forward_spec(const PortMapping& port) {
  std::string ip = port.host_ip;
  if (!ip.empty() && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
  std::string spec = ip.empty() ? "" : ip + "/";
  return spec + fmt::format("{}:{}", port.host_port, port.container_port);
}

void add_forwards(std::vector<std::string>& args, const PastaPlan& plan, const char* flag,
                  const std::string& protocol) {
  bool any = false;
  for (const auto& port : plan.ports) {
    if (port.protocol != protocol) continue;
    args.insert(args.end(), {flag, forward_spec(port)});
    any = true;
  }
  // Without a list pasta would forward every port bound in the container.
  if (!any) args.insert(args.end(), {flag, "none"});
}

}  // namespace

std::optional<std::string> find_pasta() {
  std::string path = base::find_program("pasta");
  if (path.empty()) return std::nullopt;
  return path;
}

Status check_pasta_options(const std::vector<std::string>& options) {
  static const char* kOwned[] = {"--netns", "--netns-only", "-P",      "--pid",
                                 "-f",      "--foreground", "--userns"};
  for (const auto& option : options) {
    if (option.empty())
      return base::fail(EINVAL, "pasta: an empty option (check the commas in --network pasta:...)");
    for (const char* owned : kOwned)
      if (option == owned)
        return base::failf(EINVAL, "pasta option {} is set by burrow: leave it out of --network",
                           option);
  }
  return base::ok();
}

bool pasta_maps_gateway(const std::vector<std::string>& options) {
  return std::find(options.begin(), options.end(), "--no-map-gw") == options.end();
}

std::vector<std::string> pasta_arguments(const PastaPlan& plan) {
  // pasta would switch to "nobody", who cannot open a namespace file in
  // our private run directory; it runs as we do, as it does for Podman
  // rootless.
  std::vector<std::string> args = {plan.pasta, "--config-net", "--runas",
                                   fmt::format("{}:{}", ::geteuid(), ::getegid())};
  args.insert(args.end(), plan.options.begin(), plan.options.end());
  add_forwards(args, plan, "-t", "tcp");
  add_forwards(args, plan, "-u", "udp");
  // Ports bound in the container stay there: nothing opens on the host
  // that the user did not publish.
  args.insert(args.end(), {"-T", "none", "-U", "none", "--dns-forward", kPastaDnsAddress, "--quiet",
                           "--pid", plan.pid_file, "--netns", plan.netns_path});
  return args;
}

Result<PastaLaunch> start_pasta(const PastaPlan& plan) {
  for (const auto& port : plan.ports)
    if (port.protocol == "sctp")
      return base::fail(ENOTSUP, "pasta cannot forward sctp ports: publish tcp or udp ports");
  PastaLaunch launch{plan, -1};
  BURROW_TRY(launch.launcher, spawn_helper(pasta_arguments(plan), plan.work_dir, plan.log_file));
  return launch;
}

Result<HelperProcess> wait_for_pasta(PastaLaunch& launch) {
  BURROW_TRY(int code, base::wait_exit_code(launch.launcher));
  launch.launcher = -1;
  if (code != 0)
    return base::failf(EIO, "pasta could not set up the container's network: {}",
                       helper_log_tail(launch.plan.log_file));
  BURROW_TRY(std::string pid_text, base::read_file_limited(launch.plan.pid_file, 64));
  HelperProcess helper;
  helper.pid = static_cast<pid_t>(std::atoi(pid_text.c_str()));
  helper.start_time = base::process_start_time(helper.pid);
  if (helper.pid <= 0 || helper.start_time.empty())
    return base::fail(EIO,
                      "pasta started but is not running: see its log in the container's "
                      "run directory");
  return helper;
}

}  // namespace burrow::net

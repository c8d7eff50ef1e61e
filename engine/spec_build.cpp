#include "engine/spec_build.h"

#include <algorithm>

#include "base/file_util.h"
#include "engine/env.h"
#include "runtime/capabilities.h"
#include "runtime/spec_defaults.h"

namespace burrow::engine {
namespace {

constexpr const char* kDefaultPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

void apply_capabilities(runtime::Spec& spec, const SpecInputs& in) {
  const auto& caps = in.capabilities;
  auto& c = spec.process.capabilities;
  c.bounding = caps;
  // A non-root user starts with no effective capabilities, as on any Linux
  // system; the bounding set still limits what setuid binaries can gain.
  bool root = in.user.uid == 0;
  c.effective = root ? caps : std::vector<std::string>{};
  c.permitted = c.effective;
  c.inheritable = {};
  c.ambient = {};
}

void apply_rlimits(runtime::Spec& spec, const CreateOptions& options) {
  auto& limits = spec.process.rlimits;
  for (const auto& wanted : options.ulimits) {
    auto same = [&](const runtime::Rlimit& r) { return r.type == wanted.type; };
    limits.erase(std::remove_if(limits.begin(), limits.end(), same), limits.end());
    limits.push_back({wanted.type, wanted.hard, wanted.soft});
  }
}

void add_bind(runtime::Spec& spec, const std::string& source, const std::string& destination,
              bool readonly, const std::string& propagation) {
  runtime::Mount mount{destination, "bind", source, {"rbind"}};
  if (readonly) mount.options.push_back("ro");
  mount.options.push_back(propagation.empty() ? "rprivate" : propagation);
  spec.mounts.push_back(std::move(mount));
}

void apply_mounts(runtime::Spec& spec, const SpecInputs& in) {
  for (const char* file : {"hosts", "resolv.conf", "hostname"}) {
    // --no-hosts leaves the image's own /etc/hosts in place.
    if (in.options->no_hosts && std::string_view(file) == "hosts") continue;
    add_bind(spec, base::path_join(in.userdata_dir, file), std::string("/etc/") + file, false, "");
  }
  // Podman's --read-only-tmpfs: programs still get writable scratch space.
  if (in.options->read_only && in.options->read_only_tmpfs)
    for (const char* dir : {"/tmp", "/var/tmp", "/run"})
      spec.mounts.push_back({dir, "tmpfs", "tmpfs", {"rw", "rprivate", "nosuid", "nodev"}});
  for (const auto& volume : in.options->volumes)
    add_bind(spec, volume.source, volume.destination, volume.readonly, volume.propagation);
  if (in.options->init) add_bind(spec, in.options->init_path, kContainerInitPath, true, "");
}

}  // namespace

Result<std::vector<std::string>> container_capabilities(const CreateOptions& options) {
  // "ALL" resolves to what this host can grant; all_capabilities() may
  // name ones missing from our own bounding set, which capset refuses.
  if (options.privileged) return runtime::resolve_capabilities({}, {"ALL"}, {});
  return runtime::resolve_capabilities(runtime::default_capabilities(), options.cap_add,
                                       options.cap_drop);
}

Result<std::vector<std::string>> container_command(const image::ImageConfig& image,
                                                   const CreateOptions& options) {
  std::vector<std::string> args =
      options.entrypoint ? *options.entrypoint : image.config.entrypoint;
  if (!options.command.empty()) {
    args.insert(args.end(), options.command.begin(), options.command.end());
  } else if (!options.entrypoint) {
    args.insert(args.end(), image.config.cmd.begin(), image.config.cmd.end());
  }
  if (args.empty())
    return base::fail(EINVAL,
                      "no command or entrypoint provided, and no CMD or ENTRYPOINT from image: "
                      "give a command after the image name");
  return args;
}

std::vector<std::string> container_env(const image::ImageConfig& image,
                                       const CreateOptions& options, const ResolvedUser& user,
                                       const std::string& hostname) {
  std::vector<std::string> env;
  for (const auto& entry : image.config.env) set_env(env, entry);
  if (!has_env(env, "PATH")) set_env(env, kDefaultPath);
  if (options.tty && !has_env(env, "TERM")) set_env(env, "TERM=xterm");
  set_env(env, "container=burrow");
  set_env(env, "HOSTNAME=" + hostname);
  if (!has_env(env, "HOME")) set_env(env, "HOME=" + user.home);
  for (const auto& entry : options.env) set_env(env, entry);
  return env;
}

std::string container_hostname(const CreateOptions& options, const std::string& container_id) {
  return options.hostname.value_or(container_id.substr(0, 12));
}

Result<runtime::Spec> build_spec(const SpecInputs& in) {
  const CreateOptions& options = *in.options;
  BURROW_TRY(auto args, container_command(*in.image, options));
  std::string hostname = container_hostname(options, in.container_id);
  runtime::DefaultSpecOptions defaults;
  defaults.rootfs = in.rootfs;
  // --init: the init runs the command as its child ("--" ends its options).
  if (options.init) args.insert(args.begin(), {kContainerInitPath, "--"});
  defaults.args = args;
  defaults.hostname = hostname;
  defaults.share_host_network = options.network.kind == net::NetworkKind::kHost;
  defaults.host_sysfs = in.foreign_netns;
  defaults.readonly_rootfs = options.read_only;
  defaults.rootless = in.rootless;
  defaults.tty_gid_mapped = in.tty_gid_mapped;
  runtime::Spec spec = runtime::make_default_spec(defaults);

  auto& process = spec.process;
  process.terminal = options.tty;
  process.env = container_env(*in.image, options, in.user, hostname);
  process.cwd = options.workdir.value_or(in.image->config.working_dir);
  if (process.cwd.empty()) process.cwd = "/";
  if (process.cwd.front() != '/')
    return base::failf(EINVAL, "the working directory \"{}\" must be an absolute path",
                       process.cwd);
  process.user.uid = in.user.uid;
  process.user.gid = in.user.gid;
  process.user.additional_gids = in.user.additional_gids;
  process.no_new_privileges = options.no_new_privileges;
  // Only the defaults are lowered to the host's hard limits; a --ulimit the
  // user asked for is passed as given and fails clearly if it cannot be met.
  runtime::clamp_rlimits_to_host(process.rlimits);
  apply_rlimits(spec, options);
  apply_capabilities(spec, in);
  spec.linux.seccomp = in.seccomp;
  if (options.privileged) {
    spec.linux.masked_paths.clear();
    spec.linux.readonly_paths.clear();
  }
  apply_mounts(spec, in);
  if (!in.netns_path.empty())
    for (auto& ns : spec.linux.namespaces)
      if (ns.type == "network") ns.path = in.netns_path;
  spec.annotations["io.container.manager"] = "burrow";
  return spec;
}

}  // namespace burrow::engine

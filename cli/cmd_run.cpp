// run and create: a container from an image, started in the foreground,
// detached (-d), or only registered (create).
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/network_flags.h"
#include "cli/pull_progress.h"
#include "cli/registry_flags.h"
#include "cli/tty_session.h"
#include "engine/container_lifecycle.h"
#include "engine/container_run.h"
#include "engine/image_pull.h"
#include "engine/signal_names.h"

namespace burrow::cli {
namespace {

struct RunFlags {
  bool remove = false, interactive = false, tty = false, read_only = false, privileged = false;
  bool detach = false;
  std::vector<std::string> log_opts;
  std::string log_driver = "k8s-file", restart = "no";
  std::optional<std::string> stop_signal;
  std::optional<int> stop_timeout;
  bool read_only_tmpfs = true;
  std::vector<std::string> env, env_files, volumes, cap_add, cap_drop, security_opts, ulimits,
      labels;
  std::optional<std::string> workdir, user, hostname, name, entrypoint;
  NetworkFlags network;
  std::string pull = "missing";
  RegistryFlags registry;
  bool quiet = false;
  std::optional<std::string> detach_keys;
  std::optional<std::string> health_cmd, health_interval, health_timeout, health_start_period;
  std::optional<int> health_retries;
  bool no_healthcheck = false;
  bool init = false;
  std::optional<std::string> init_path;
};

// The --health-* flags; create_container merges them with the image's.
Result<engine::HealthOverrides> health_overrides(const RunFlags& flags) {
  engine::HealthOverrides health;
  health.disabled = flags.no_healthcheck;
  if (flags.no_healthcheck && flags.health_cmd)
    return base::fail(EINVAL, "--no-healthcheck conflicts with --health-cmd: use one of them");
  if (flags.health_cmd) {
    BURROW_TRY(health.test, engine::parse_health_command(*flags.health_cmd));
  }
  auto duration = [](const std::optional<std::string>& text, const char* flag, bool disable,
                     std::optional<int64_t>& out) -> Status {
    if (!text) return base::ok();
    BURROW_TRY(int64_t ns, engine::parse_health_duration(*text, flag, disable));
    if (ns != 0 && ns < engine::kSecondNs)
      return base::failf(EINVAL, "{} must be at least 1 second", flag);
    out = ns;
    return base::ok();
  };
  BURROW_CHECK(duration(flags.health_interval, "--health-interval", true, health.interval_ns));
  BURROW_CHECK(duration(flags.health_timeout, "--health-timeout", false, health.timeout_ns));
  if (health.timeout_ns && *health.timeout_ns == 0)
    return base::fail(EINVAL, "--health-timeout must be at least 1 second");
  if (flags.health_start_period) {
    BURROW_TRY(health.start_period_ns,
               engine::parse_health_duration(*flags.health_start_period, "--health-start-period"));
  }
  if (flags.health_retries) {
    if (*flags.health_retries < 1) return base::fail(EINVAL, "--health-retries must be 1 or more");
    health.retries = *flags.health_retries;
  }
  return health;
}

Result<std::vector<std::string>> parse_entrypoint(const std::string& value) {
  if (value.empty()) return std::vector<std::string>{};
  if (value.front() != '[') return std::vector<std::string>{value};
  auto parsed = nlohmann::json::parse(value, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_array())
    return base::failf(EINVAL, "--entrypoint {}: not a JSON array of strings", value);
  std::vector<std::string> args;
  for (const auto& item : parsed) {
    if (!item.is_string())
      return base::failf(EINVAL, "--entrypoint {}: not a JSON array of strings", value);
    args.push_back(item.get<std::string>());
  }
  return args;
}

Status apply_security_opts(const std::vector<std::string>& opts, engine::CreateOptions& options) {
  for (const auto& opt : opts) {
    if (opt == "no-new-privileges" || opt == "no-new-privileges=true") {
      options.no_new_privileges = true;
    } else if (base::starts_with(opt, "seccomp=") || base::starts_with(opt, "seccomp:")) {
      options.seccomp_profile = opt.substr(8);
    } else if (base::starts_with(opt, "label=")) {
      continue;  // SELinux labels: this host family has no SELinux
    } else {
      return base::failf(EINVAL,
                         "invalid --security-opt \"{}\": use no-new-privileges or "
                         "seccomp=unconfined|PROFILE.json",
                         opt);
    }
  }
  return base::ok();
}

Result<engine::CreateOptions> create_options(const RunFlags& flags,
                                             const std::vector<std::string>& positional) {
  if (positional.empty())
    return base::fail(EINVAL, "an image is required: burrow run|create IMAGE [COMMAND...]");
  if (positional.front().size() > 1 && positional.front().front() == '-')
    return base::failf(EINVAL, "unknown flag: {}", positional.front());
  BURROW_CHECK(engine::parse_pull_policy(flags.pull));  // refused before anything happens
  engine::CreateOptions options;
  options.image = positional.front();
  options.command.assign(positional.begin() + 1, positional.end());
  for (const auto& file : flags.env_files) {
    BURROW_TRY(auto entries, engine::read_env_file(file));
    options.env.insert(options.env.end(), entries.begin(), entries.end());
  }
  for (const auto& flag : flags.env)
    if (auto entry = engine::resolve_env_flag(flag)) options.env.push_back(*entry);
  for (const auto& spec : flags.volumes) {
    BURROW_TRY(auto volume, engine::parse_volume(spec));
    options.volumes.push_back(std::move(volume));
  }
  for (const auto& spec : flags.ulimits) {
    BURROW_TRY(auto limit, engine::parse_ulimit(spec));
    options.ulimits.push_back(limit);
  }
  if (flags.entrypoint) {
    BURROW_TRY(options.entrypoint, parse_entrypoint(*flags.entrypoint));
  }
  BURROW_CHECK(apply_security_opts(flags.security_opts, options));
  options.workdir = flags.workdir;
  options.user = flags.user;
  options.hostname = flags.hostname;
  options.name = flags.name;
  options.read_only = flags.read_only;
  options.read_only_tmpfs = flags.read_only_tmpfs;
  options.interactive = flags.interactive;
  options.tty = flags.tty;
  options.remove = flags.remove;
  options.privileged = flags.privileged;
  options.cap_add = flags.cap_add;
  options.cap_drop = flags.cap_drop;
  options.labels = flags.labels;
  if (flags.init_path && !flags.init) return base::fail(EINVAL, "--init-path needs --init");
  options.init = flags.init;
  if (flags.init) {
    BURROW_TRY(options.init_path, engine::resolve_init_path(flags.init_path));
  }
  options.detach = flags.detach;
  BURROW_TRY(options.log_driver, engine::parse_log_driver(flags.log_driver));
  for (const auto& opt : flags.log_opts) BURROW_CHECK(engine::parse_log_option(opt, options));
  BURROW_CHECK(engine::parse_restart_policy(flags.restart, options));
  if (options.remove && options.restart_policy != "no")
    return base::fail(EINVAL, "the --rm option conflicts with --restart: use one of them");
  if (flags.stop_signal) {
    BURROW_CHECK(engine::parse_signal(*flags.stop_signal));  // refused now, not at stop
    options.stop_signal = *flags.stop_signal;
  }
  if (flags.stop_timeout) {
    if (*flags.stop_timeout < 0)
      return base::fail(EINVAL, "--stop-timeout must be 0 or more seconds");
    options.stop_timeout = *flags.stop_timeout;
  }
  BURROW_TRY(options.health_flags, health_overrides(flags));
  return options;
}

// The image as --pull says: the local one, or pulled (progress on stderr).
Status ensure_image(engine::Engine& engine, const RunFlags& flags, const std::string& image) {
  BURROW_TRY(auto policy, engine::parse_pull_policy(flags.pull));
  engine::PullSettings settings;
  BURROW_TRY(settings.registry, flags.registry.options());
  settings.platform = image::host_platform();
  PullProgress progress(flags.quiet, ::isatty(STDERR_FILENO) == 1);
  settings.report = progress.reporter();
  BURROW_CHECK(engine::image_for_run(engine, image, policy, settings));
  return base::ok();
}

// `run -t` in the foreground: a terminal session with the container.
Result<int> run_with_tty(engine::Engine& engine, const engine::CreateOptions& options,
                         const AttachFlags& attach) {
  BURROW_TRY(TtyStart start, prepare_tty_start());
  BURROW_TRY(auto started, engine::create_and_start(engine, options, start.io));
  return attach_tty_foreground(engine, started, start, attach);
}

Result<int> run(Context& ctx, const RunFlags& flags, const std::vector<std::string>& positional) {
  BURROW_TRY(auto options, create_options(flags, positional));
  AttachFlags attach{flags.interactive, flags.detach_keys, true};
  BURROW_CHECK(detach_sequence(attach));  // refused before anything is created
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kModify));
  BURROW_CHECK(apply_network_flags(flags.network, engine->host().rootless, options));
  BURROW_CHECK(ensure_image(*engine, flags, options.image));
  if (options.tty && !options.detach) return run_with_tty(*engine, options, attach);
  BURROW_TRY(auto outcome, engine::run_container(*engine, options));
  if (options.detach) std::cout << outcome.id << std::endl;
  return outcome.exit_code;
}

Result<int> create(Context& ctx, const RunFlags& flags,
                   const std::vector<std::string>& positional) {
  BURROW_TRY(auto options, create_options(flags, positional));
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kModify));
  BURROW_CHECK(apply_network_flags(flags.network, engine->host().rootless, options));
  BURROW_CHECK(ensure_image(*engine, flags, options.image));
  BURROW_TRY(auto record, engine::create_container(*engine, options));
  std::cout << record.id << std::endl;
  return 0;
}

CLI::App* add_container_flags(CLI::App& app, const std::string& name, const std::string& help,
                              RunFlags& f) {
  auto* cmd = app.add_subcommand(name, help);
  cmd->set_help_flag("--help", "Print this help message and exit");  // -h is --hostname
  // Everything from the image on belongs to the container's command.
  cmd->prefix_command();
  cmd->fallthrough(false);
  cmd->add_flag("--rm", f.remove, "Remove the container when it exits");
  cmd->add_flag("-i,--interactive", f.interactive, "Keep stdin open");
  cmd->add_flag("-t,--tty", f.tty, "Allocate a pseudo-TTY");
  cmd->add_option("-e,--env", f.env, "Set environment variables (KEY=VALUE, or KEY from the host)");
  cmd->add_option("--env-file", f.env_files, "Read environment variables from a file");
  cmd->add_option("-w,--workdir", f.workdir, "Working directory inside the container");
  cmd->add_option("-u,--user", f.user, "User (name|uid[:group|gid]) to run as");
  cmd->add_option("-h,--hostname", f.hostname, "Container host name");
  cmd->add_flag("--read-only", f.read_only, "Mount the container's root file system read-only");
  cmd->add_option("--read-only-tmpfs", f.read_only_tmpfs,
                  "With --read-only, mount tmpfs on /tmp, /var/tmp and /run (default true)");
  cmd->add_option("-v,--volume", f.volumes, "Bind mount a volume: SOURCE:DEST[:ro]");
  cmd->add_option("--name", f.name, "Name of the container");
  cmd->add_option("--entrypoint", f.entrypoint, "Override the image's ENTRYPOINT");
  add_network_flags(*cmd, f.network);
  cmd->add_option("--cap-add", f.cap_add, "Add Linux capabilities");
  cmd->add_option("--cap-drop", f.cap_drop, "Drop Linux capabilities");
  cmd->add_option("--security-opt", f.security_opts,
                  "no-new-privileges, seccomp=PROFILE|unconfined");
  cmd->add_flag("--privileged", f.privileged, "All capabilities, no seccomp, no masked paths");
  cmd->add_option("--ulimit", f.ulimits, "Resource limit: NAME=SOFT[:HARD]");
  cmd->add_option("-l,--label", f.labels, "Set metadata on the container");
  cmd->add_option("--pull", f.pull, "Pull policy: missing (default), always, newer or never");
  cmd->add_flag("-q,--quiet", f.quiet, "Show no pull progress");
  add_registry_flags(*cmd, f.registry, true);
  cmd->add_option("--log-driver", f.log_driver,
                  "Logging driver: k8s-file (default), json-file, none");
  cmd->add_option("--log-opt", f.log_opts, "Logging option: max-size=SIZE");
  cmd->add_option("--restart", f.restart,
                  "Restart policy: no, on-failure[:N], always, unless-stopped");
  cmd->add_option("--stop-signal", f.stop_signal, "Signal that stops the container");
  cmd->add_option("--stop-timeout", f.stop_timeout, "Seconds to wait before SIGKILL on stop");
  cmd->add_option("--health-cmd", f.health_cmd,
                  "Healthcheck command: a shell command, a JSON array, or none");
  cmd->add_option("--health-interval", f.health_interval,
                  "Time between healthchecks (default 30s; disable: only `healthcheck run`)");
  cmd->add_option("--health-retries", f.health_retries,
                  "Failures in a row that make the container unhealthy (default 3)");
  cmd->add_option("--health-start-period", f.health_start_period,
                  "Time after the start when failures do not count (default 0s)");
  cmd->add_option("--health-timeout", f.health_timeout,
                  "Time a healthcheck may take before it fails (default 30s)");
  cmd->add_flag("--no-healthcheck", f.no_healthcheck, "Disable any healthcheck, the image's too");
  cmd->add_flag("--init", f.init,
                "Run an init (catatonit) as pid 1 that passes signals on and reaps zombies");
  cmd->add_option("--init-path", f.init_path,
                  "The init for --init (default: catatonit); unused without --init");
  return cmd;
}

}  // namespace

void add_run_command(CLI::App& app, Context& ctx) {
  if (!ctx.wanted(app, "run")) return;
  auto f = std::make_shared<RunFlags>();
  auto* cmd = add_container_flags(app, "run", "Run a command in a new container", *f);
  cmd->add_flag("-d,--detach", f->detach, "Run the container in the background, print its ID");
  cmd->add_option("--detach-keys", f->detach_keys,
                  "Keys that detach from the container (default ctrl-p,ctrl-q; \"\" disables)");
  one_value_per_use(*cmd);
  cmd->callback([&ctx, f, cmd] {
    auto positional = cmd->remaining();
    run_command(ctx, [&] { return run(ctx, *f, positional); });
  });
}

void add_create_command(CLI::App& app, Context& ctx) {
  if (!ctx.wanted(app, "create")) return;
  auto f = std::make_shared<RunFlags>();
  auto* cmd = add_container_flags(app, "create", "Create but do not start a container", *f);
  f->detach = true;
  one_value_per_use(*cmd);
  cmd->callback([&ctx, f, cmd] {
    auto positional = cmd->remaining();
    run_command(ctx, [&] { return create(ctx, *f, positional); });
  });
}

}  // namespace burrow::cli

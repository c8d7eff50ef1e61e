// Runs in the CLI (or in the exit command the monitor runs), inside the
// keeper's namespaces when rootless.
#include "engine/container_lifecycle.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/child_process.h"
#include "base/clock.h"
#include "base/file_util.h"
#include "base/log.h"
#include "base/random_id.h"
#include "base/scope_exit.h"
#include "engine/container_config.h"
#include "engine/container_files.h"
#include "engine/container_mount.h"
#include "engine/container_network.h"
#include "engine/container_remove.h"
#include "engine/container_state.h"
#include "engine/events.h"
#include "engine/healthcheck.h"
#include "engine/image_resolve.h"
#include "engine/orphan_start.h"
#include "engine/rootfs.h"
#include "engine/seccomp_cache.h"
#include "engine/spec_build.h"
#include "image/image_config.h"

namespace burrow::engine {
namespace {

// The signals a foreground run passes on to its container, as Podman's
// --sig-proxy does.
constexpr int kProxiedSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

struct PreparedSpec {
  runtime::Spec spec;
  std::optional<runtime::SeccompProgram> seccomp;
};

Result<PreparedSpec> prepare_spec(Engine& engine, const ContainerRecord& record,
                                  const CreateOptions& options, const image::ImageConfig& config,
                                  const ContainerRootfs& rootfs, const NetworkPlan& network) {
  const HostProfile& host = engine.host();
  SpecInputs inputs;
  inputs.image = &config;
  inputs.options = &options;
  BURROW_TRY(inputs.user, resolve_user_in_root(rootfs.layout.merged_dir,
                                               options.user.value_or(config.config.user)));
  inputs.container_id = record.id;
  inputs.container_name = record.name;
  inputs.rootfs = rootfs.layout.merged_dir;
  inputs.userdata_dir = base::path_join(engine.paths().container_dir(record.id), "userdata");
  inputs.rootless = host.rootless;
  inputs.tty_gid_mapped = !host.rootless || !host.subgids.empty();
  BURROW_TRY(inputs.capabilities, container_capabilities(options));
  PreparedSpec prepared;
  BURROW_TRY(auto seccomp, container_seccomp(engine.paths(), host, options, inputs.capabilities));
  if (seccomp) {
    inputs.seccomp = std::move(seccomp->spec);
    prepared.seccomp = std::move(seccomp->program);
  }
  BURROW_CHECK(base::make_dirs(inputs.userdata_dir, 0700));
  BURROW_CHECK(write_container_etc(inputs.userdata_dir, record, options, network));
  inputs.netns_path = network.join_path;
  inputs.foreign_netns = network.foreign_netns;
  BURROW_TRY(prepared.spec, build_spec(inputs));
  nlohmann::json json = prepared.spec;
  BURROW_CHECK(base::write_file_atomic(base::path_join(inputs.userdata_dir, "config.json"),
                                       json.dump(2), 0600, false));
  return prepared;
}

// A command the monitor runs: this burrow, on the same store. With
// "container cleanup ID" it finishes the container when it exits and no CLI
// waits for it; with "healthcheck run ID" it is the periodic healthcheck.
std::vector<std::string> burrow_command(const Engine& engine, const std::string& self,
                                        std::initializer_list<std::string> command) {
  std::vector<std::string> args = {self, "--root", engine.paths().graph_root, "--runroot",
                                   engine.paths().run_root};
  if (engine.options().storage_driver)
    args.insert(args.end(), {"--storage-driver", *engine.options().storage_driver});
  args.insert(args.end(), command);
  return args;
}

void set_healthcheck(MonitorLaunch& launch, const Engine& engine, const std::string& self,
                     const CreateOptions& options, const std::string& id) {
  if (!options.healthcheck || options.healthcheck->interval_ns <= 0) return;
  launch.healthcheck_interval_ms = std::max<int64_t>(1, options.healthcheck->interval_ns / 1000000);
  launch.healthcheck_command = burrow_command(engine, self, {"healthcheck", "run", id});
}

Result<ImageRecord> image_of(Engine& engine, const ContainerRecord& record) {
  BURROW_TRY(auto image, engine.images().find_by_id(record.image_id));
  if (!image)
    return base::failf(ENOENT, "container {}: its image {} is gone", record.name, record.image_id);
  return std::move(*image);
}

Result<ContainerRootfs> rootfs_on_image(Engine& engine, const std::string& id,
                                        const ImageRecord& image) {
  BURROW_TRY(auto driver, storage_driver(engine.paths(), engine.options().storage_driver));
  return container_rootfs(engine.paths(), driver, id, image.diff_ids);
}

Result<StartedContainer> start_locked(Engine& engine, ContainerRecord record, const StartIo& io);

bool should_restart(const CreateOptions& options, const ContainerRecord& ended) {
  if (ended.state == "stopping") return false;  // stopped by a user
  const std::string& policy = options.restart_policy;
  if (policy == "always" || policy == "unless-stopped") return true;
  if (policy != "on-failure" || ended.exit_code.value_or(0) == 0) return false;
  return options.restart_max == 0 || ended.restarts < options.restart_max;
}

// The init has gone, but the monitor writes the exit file only after it
// drained the container's output: give a live monitor a moment for that.
std::optional<ExitRecord> await_exit_file(const StorePaths& paths, const ContainerRecord& c) {
  for (int i = 0; i < 500; ++i) {
    if (auto exit = read_exit_file(paths, c.id)) return exit;
    bool monitor_alive =
        c.monitor_pid && *c.monitor_pid > 0 && ::kill(static_cast<pid_t>(*c.monitor_pid), 0) == 0;
    if (!monitor_alive) return read_exit_file(paths, c.id);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

Status finish_locked(Engine& engine, ContainerRecord record, bool allow_restart) {
  if (!is_active(record.state) || init_alive(record)) return base::ok();
  auto exit = await_exit_file(engine.paths(), record);
  int64_t code = exit ? exit->code : -1;
  int64_t finished = exit ? exit->finished_ns : base::unix_now_ns();
  ContainerStore store(engine.db());
  BURROW_CHECK(store.set_exited(record.id, code, finished));
  base::debug("container {} exited with {}", record.id, code);
  record_container_event(engine.paths(), record, "died", code);
  BURROW_TRY(auto rootfs, container_rootfs_of(engine, record));
  // `burrow mount` holds it for the user until `burrow unmount`.
  if (user_mount_count(engine.paths(), record.id) == 0) BURROW_CHECK(unmount_rootfs(rootfs));
  teardown_network(engine.paths(), record.id);
  BURROW_CHECK(base::remove_tree(engine.paths().container_run_dir(record.id)));
  record_container_event(engine.paths(), record, "cleanup");
  BURROW_TRY(auto stored, stored_config(record));
  if (stored.options.remove) return remove_container_locked(engine, record.id);
  record.exit_code = code;
  if (!allow_restart || !should_restart(stored.options, record)) return base::ok();
  BURROW_CHECK(store.set_restarts(record.id, record.restarts + 1));
  record.state = "exited";
  base::debug("restarting container {} (restart {})", record.id, record.restarts + 1);
  BURROW_TRY(auto restarted, start_locked(engine, record, StartIo{}));
  return base::ok();
}

Result<StartedContainer> start_locked(Engine& engine, ContainerRecord record, const StartIo& io) {
  if (is_active(record.state)) {
    if (init_alive(record))
      return base::failf(EBUSY, "container {} is already running", record.name);
    BURROW_CHECK(finish_locked(engine, record, false));
  }
  BURROW_TRY(auto stored, stored_config(record));
  const CreateOptions& options = stored.options;
  BURROW_TRY(ImageRecord image, image_of(engine, record));
  BURROW_TRY(image::ImageConfig config, image::parse_image_config(image.config));
  BURROW_TRY(auto rootfs, rootfs_on_image(engine, record.id, image));
  const StorePaths& paths = engine.paths();
  std::string run_dir = paths.container_run_dir(record.id);
  BURROW_CHECK(base::make_dirs(run_dir, 0700));
  // pasta configures the namespace while the rootfs is mounted.
  BURROW_TRY(NetworkPlan network, begin_network(engine, record, options));
  base::ScopeExit drop_network([&] { abandon_network(paths, record.id, network); });
  base::debug("start: mounting the rootfs of {}", record.id);
  BURROW_CHECK(mount_rootfs(rootfs));
  base::ScopeExit unmount([&] { (void)unmount_rootfs(rootfs); });
  BURROW_TRY(auto prepared, prepare_spec(engine, record, options, config, rootfs, network));
  base::debug("start: spec written");
  ::unlink(exit_file_path(paths, record.id).c_str());
  reset_health_state(paths, record.id);
  MonitorLaunch launch;
  BURROW_TRY(std::string self, self_executable());
  BURROW_TRY(launch.monitor_path, find_monitor(self));
  launch.container_id = record.id;
  launch.spec = &prepared.spec;
  launch.create.seccomp = prepared.seccomp ? &*prepared.seccomp : nullptr;
  launch.create.mknod_devices = !engine.host().rootless;
  launch.stdin_fd = io.stdin_fd >= 0      ? io.stdin_fd
                    : options.interactive ? MonitorLaunch::kPipe
                                          : -1;
  launch.forward_stdout = io.stdout_fd;
  launch.forward_stderr = io.stderr_fd;
  launch.foreground = io.foreground;
  launch.return_console = io.foreground && options.tty;
  launch.create.console_size = io.console_size;
  launch.log_driver = options.log_driver;
  launch.log_path = log_file_path(paths, record.id);
  launch.log_max_size = options.log_max_size;
  launch.exit_file = exit_file_path(paths, record.id);
  launch.attach_socket = attach_socket_path(paths, record.id);
  launch.exit_command = burrow_command(engine, self, {"container", "cleanup", record.id});
  set_healthcheck(launch, engine, self, options, record.id);
  // pasta finishes while the container is created; it starts after.
  PendingNetwork pending = pending_network(network);
  launch.network_pidfd = pending.pidfd.get();
  launch.network_ready_file = pending.ready_file;
  launch.network_route_fd = pending.route_fd;
  launch.network_routes = pending.expected_routes;
  auto spawned = spawn_monitor(launch);
  // pasta's own words explain a failed start better than the monitor's.
  BURROW_CHECK(complete_network(engine, record, network));
  base::debug("start: network ready");
  BURROW_TRY(auto monitor, std::move(spawned));
  unmount.dismiss();
  drop_network.dismiss();

  record.pid = monitor.init_pid;
  record.pid_start = base::process_start_time(monitor.init_pid);
  record.monitor_pid = monitor.monitor_pid;
  record.started_ns = base::unix_now_ns();
  record.state = "running";
  ContainerStore store(engine.db());
  BURROW_CHECK(store.set_running(record));
  record_container_event(paths, record, "init");
  record_container_event(paths, record, "start");
  return StartedContainer{std::move(record), std::move(monitor)};
}

// The monitor's "<exit code>\n", or nullopt when it died first.
std::optional<int> read_exit_message(int fd) {
  char buffer[64];
  ssize_t n;
  do {
    n = ::recv(fd, buffer, sizeof buffer - 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return std::nullopt;
  buffer[n] = '\0';
  return std::atoi(buffer);
}

// A generated name nobody uses: the word lists give about a thousand
// combinations, so with many containers a draw is often taken; after a few
// tries part of the id makes it unique.
Result<std::string> unused_random_name(ContainerStore& store, const std::string& id) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    std::string name = random_container_name();
    BURROW_TRY(bool taken, store.name_taken(name));
    if (!taken) return name;
  }
  return random_container_name() + "_" + id.substr(0, 8);
}

}  // namespace

Result<ContainerRootfs> container_rootfs_of(Engine& engine, const ContainerRecord& record) {
  BURROW_TRY(ImageRecord image, image_of(engine, record));
  return rootfs_on_image(engine, record.id, image);
}

Result<ContainerRecord> create_container(Engine& engine, const CreateOptions& options) {
  BURROW_TRY(ImageRecord image, resolve_image(engine.images(), options.image));
  BURROW_TRY(image::ImageConfig config, image::parse_image_config(image.config));
  BURROW_TRY(auto command, container_command(config, options));
  ContainerRecord record;
  record.id = base::random_hex_id();
  ContainerStore store(engine.db());
  if (options.name) {
    record.name = *options.name;
  } else {
    BURROW_TRY(record.name, unused_random_name(store, record.id));
  }
  record.image_id = image.id;
  record.image_name = image.names.empty() ? image.id : image.names.front();
  record.created_ns = base::unix_now_ns();
  CreateOptions resolved = options;
  if (!resolved.healthcheck) {
    const auto& image_health = config.config.healthcheck;
    resolved.healthcheck =
        resolve_healthcheck(options.health_flags, image_health ? &*image_health : nullptr);
  }
  BURROW_CHECK(resolve_published_ports(resolved, config.config.exposed_ports, options.publish_all));
  record.config = stored_config_json(resolved, command);
  Status added = store.add(record);
  // Parallel creates can draw the same free name; the insert lets only one
  // have it, and the others draw again.
  for (int draw = 0; !added && !options.name && added.error().code == EEXIST && draw < 10; ++draw) {
    BURROW_TRY(record.name, unused_random_name(store, record.id));
    added = store.add(record);
  }
  BURROW_CHECK(added);
  base::debug("container {} registered", record.id);
  record_container_event(engine.paths(), record, "create");
  return record;
}

Result<StartedContainer> start_container(Engine& engine, const std::string& id, const StartIo& io) {
  BURROW_TRY(auto lock, lock_container(engine.paths(), id));
  ContainerStore store(engine.db());
  BURROW_TRY(auto record, store.get(id));
  if (!record) return base::failf(ENOENT, "no container with ID \"{}\" found", id);
  BURROW_TRY(auto current, adopt_unrecorded_start(engine, std::move(*record)));
  return start_locked(engine, std::move(current), io);
}

Result<int> wait_foreground(Engine& engine, StartedContainer& started) {
  sigset_t proxied, previous;
  sigemptyset(&proxied);
  for (int sig : kProxiedSignals) sigaddset(&proxied, sig);
  sigprocmask(SIG_BLOCK, &proxied, &previous);
  base::ScopeExit restore([&] { sigprocmask(SIG_SETMASK, &previous, nullptr); });
  base::UniqueFd signals(::signalfd(-1, &proxied, SFD_CLOEXEC));
  int sync = started.monitor.sync.get();
  for (;;) {
    pollfd fds[2] = {{sync, POLLIN, 0}, {signals.get(), POLLIN, 0}};
    if (::poll(fds, signals ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      return base::fail_errno("waiting for the container");
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info;
      if (::read(signals.get(), &info, sizeof info) == sizeof info)
        ::kill(started.monitor.init_pid, static_cast<int>(info.ssi_signo));
    }
    if (fds[0].revents) break;
  }
  return finish_foreground(engine, started);
}

Result<int> finish_foreground(Engine& engine, StartedContainer& started) {
  int sync = started.monitor.sync.get();
  std::optional<int> code = read_exit_message(sync);
  // Tell the monitor this process cleans up; it then skips its exit command.
  if (code) (void)::send(sync, "A", 1, MSG_NOSIGNAL);
  started.monitor.sync.reset();
  started.monitor.console.reset();
  BURROW_TRY(auto lock, lock_container(engine.paths(), started.record.id));
  ContainerStore store(engine.db());
  BURROW_TRY(auto record, store.get(started.record.id));
  if (record) BURROW_CHECK(finish_locked(engine, *record, false));
  if (!code) return base::fail(EIO, "the container's monitor died before the container exited");
  return *code;
}

void detach_foreground(StartedContainer& started) {
  started.monitor.sync.reset();
  started.monitor.console.reset();
}

Status finish_container(Engine& engine, const std::string& id) {
  BURROW_TRY(auto lock, lock_container(engine.paths(), id));
  ContainerStore store(engine.db());
  BURROW_TRY(auto record, store.get(id));
  if (!record) return base::ok();
  return finish_locked(engine, std::move(*record), true);
}

Result<ContainerRecord> refresh_container(Engine& engine, const std::string& reference) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto record, store.find(reference));
  if (!is_active(record.state) || init_alive(record)) return record;
  BURROW_CHECK(finish_container(engine, record.id));
  BURROW_TRY(auto fresh, store.get(record.id));
  if (!fresh)
    return base::failf(ENOENT, "no container with name or ID \"{}\" found: no such container",
                       reference);
  return std::move(*fresh);
}

}  // namespace burrow::engine

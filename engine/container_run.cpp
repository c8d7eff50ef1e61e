// Runs in the CLI process, inside the keeper's namespaces when rootless.
#include "engine/container_run.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/log.h"
#include "base/random_id.h"
#include "base/scope_exit.h"
#include "engine/container_files.h"
#include "engine/container_store.h"
#include "engine/image_resolve.h"
#include "engine/rootfs.h"
#include "engine/seccomp_cache.h"
#include "engine/spec_build.h"
#include "image/image_config.h"
#include "runtime/linux_container.h"

namespace burrow::engine {
namespace {

int64_t now() { return static_cast<int64_t>(::time(nullptr)); }

// Everything a created container owns on disk and in the database, undone
// in reverse order by cleanup().
struct PreparedContainer {
  ContainerRecord record;
  ContainerRootfs rootfs;
  std::string dir;
  bool mounted = false;
  std::optional<runtime::SeccompProgram> seccomp;
};

Status cleanup(Engine& engine, PreparedContainer& c, bool remove) {
  Status result = base::ok();
  if (c.mounted) {
    result = unmount_rootfs(c.rootfs);
    c.mounted = false;
    base::debug("run: rootfs unmounted");
  }
  if (!remove) return result;
  ContainerStore store(engine.db());
  BURROW_CHECK(store.remove(c.record.id));
  BURROW_CHECK(base::remove_tree(c.dir));
  base::debug("run: container {} removed", c.record.id);
  return result;
}

Result<std::string> record_config(const CreateOptions& options, const image::ImageConfig& image) {
  BURROW_TRY(auto command, container_command(image, options));
  nlohmann::json config;
  config["image"] = options.image;
  config["command"] = command;
  config["remove"] = options.remove;
  config["network"] = options.network;
  return config.dump();
}

Result<ResolvedUser> resolve_container_user(const std::string& rootfs, const std::string& spec) {
  BURROW_TRY(std::string passwd, read_file_in_root(rootfs, "/etc/passwd"));
  BURROW_TRY(std::string group, read_file_in_root(rootfs, "/etc/group"));
  return resolve_user(spec, passwd, group);
}

Result<runtime::Spec> prepare_spec(Engine& engine, const CreateOptions& options,
                                   const image::ImageConfig& config, PreparedContainer& c) {
  const HostProfile& host = engine.host();
  SpecInputs inputs;
  inputs.image = &config;
  inputs.options = &options;
  BURROW_TRY(inputs.user, resolve_container_user(c.rootfs.layout.merged_dir,
                                                 options.user.value_or(config.config.user)));
  inputs.container_id = c.record.id;
  inputs.container_name = c.record.name;
  inputs.rootfs = c.rootfs.layout.merged_dir;
  inputs.userdata_dir = base::path_join(c.dir, "userdata");
  inputs.rootless = host.rootless;
  inputs.tty_gid_mapped = !host.rootless || !host.subgids.empty();
  BURROW_TRY(inputs.capabilities, container_capabilities(options));
  BURROW_TRY(auto seccomp, container_seccomp(engine.paths(), host, options, inputs.capabilities));
  if (seccomp) {
    inputs.seccomp = std::move(seccomp->spec);
    c.seccomp = std::move(seccomp->program);
  }
  BURROW_CHECK(base::make_dirs(inputs.userdata_dir, 0700));
  auto resolv = base::read_file_limited("/etc/resolv.conf", 1 << 20);
  EtcFilesInput etc{container_hostname(options, c.record.id), c.record.name,
                    options.network == "host", resolv ? *resolv : ""};
  BURROW_CHECK(write_etc_files(inputs.userdata_dir, etc));
  BURROW_TRY(runtime::Spec spec, build_spec(inputs));
  nlohmann::json json = spec;
  BURROW_CHECK(base::write_file_atomic(base::path_join(inputs.userdata_dir, "config.json"),
                                       json.dump(2), 0600, false));
  return spec;
}

Result<PreparedContainer> create_record(Engine& engine, const CreateOptions& options,
                                        const ImageRecord& image,
                                        const image::ImageConfig& config) {
  BURROW_TRY(auto driver, storage_driver(engine.paths(), engine.options().storage_driver));
  PreparedContainer c;
  c.record.id = base::random_hex_id();
  c.record.name = options.name.value_or(random_container_name());
  c.record.image_id = image.id;
  c.record.image_name = image.names.empty() ? image.id : image.names.front();
  c.record.created = now();
  BURROW_TRY(c.record.config, record_config(options, config));
  c.dir = engine.paths().container_dir(c.record.id);
  c.rootfs = container_rootfs(engine.paths(), driver, c.record.id, image.diff_ids);
  ContainerStore store(engine.db());
  BURROW_CHECK(store.add(c.record));
  return c;
}

Result<int> execute(Engine& engine, const runtime::Spec& spec, const CreateOptions& options,
                    const PreparedContainer& c) {
  const std::string& id = c.record.id;
  // Without -i the container reads from /dev/null, as with Podman.
  base::UniqueFd null_stdin;
  if (!options.interactive) null_stdin.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  runtime::CreateOptions create;
  create.seccomp = c.seccomp ? &*c.seccomp : nullptr;
  create.mknod_devices = !engine.host().rootless;
  create.stdin_fd = options.interactive ? STDIN_FILENO : null_stdin.get();
  BURROW_TRY(auto process, runtime::create_container(spec, create));
  base::debug("run: container init {} is set up", process.pid());
  ContainerStore store(engine.db());
  BURROW_CHECK(store.set_running(id, process.pid(), now()));
  if (auto started = runtime::start_container(process); !started) {
    Error error = started.error();
    if (error.code == ENOENT)
      error.exit_status = 127;
    else if (error.code == EACCES || error.code == ENOEXEC || error.code == EPERM)
      error.exit_status = 126;
    (void)store.set_exited(id, error.exit_status ? error.exit_status : 125, now());
    return tl::unexpected(error);
  }
  BURROW_TRY(int exit_code, runtime::wait_container(process));
  base::debug("run: container exited with {}", exit_code);
  // With --rm the row is deleted next; recording the exit first would be a
  // database transaction nobody reads.
  if (!options.remove) BURROW_CHECK(store.set_exited(id, exit_code, now()));
  return exit_code;
}

}  // namespace

Result<int> run_container(Engine& engine, const CreateOptions& options) {
  base::debug("run: resolving image {}", options.image);
  BURROW_TRY(ImageRecord image, resolve_image(engine.images(), options.image));
  BURROW_TRY(image::ImageConfig config, image::parse_image_config(image.config));
  BURROW_TRY(PreparedContainer c, create_record(engine, options, image, config));
  bool created = false;
  base::ScopeExit undo([&] {
    if (auto cleaned = cleanup(engine, c, options.remove || !created); !cleaned)
      base::warn("cleaning up container {}: {}", c.record.id, cleaned.error().message);
  });
  base::debug("run: container {} registered; mounting its rootfs", c.record.id);
  BURROW_CHECK(mount_rootfs(c.rootfs));
  c.mounted = true;
  base::debug("run: rootfs mounted; building the spec");
  BURROW_TRY(runtime::Spec spec, prepare_spec(engine, options, config, c));
  created = true;
  base::debug("run: spec written; starting the container");
  return execute(engine, spec, options, c);
}

}  // namespace burrow::engine

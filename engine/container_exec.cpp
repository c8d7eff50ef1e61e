// Runs in the CLI, inside the keeper's namespaces when rootless.
#include "engine/container_exec.h"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "engine/container_config.h"
#include "engine/container_lifecycle.h"
#include "engine/container_state.h"
#include "engine/env.h"
#include "engine/events.h"
#include "engine/seccomp_cache.h"
#include "engine/spec_build.h"
#include "engine/user_lookup.h"
#include "runtime/exec_process.h"
#include "runtime/linux_container.h"

namespace burrow::engine {
namespace {

Result<runtime::Spec> container_spec(const StorePaths& paths, const std::string& id) {
  std::string path =
      base::path_join(base::path_join(paths.container_dir(id), "userdata"), "config.json");
  BURROW_TRY(std::string text, base::read_file_limited(path, 16 << 20));
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) return base::failf(EINVAL, "{} is not valid JSON", path);
  try {
    return json.get<runtime::Spec>();
  } catch (const nlohmann::json::exception& e) {
    return base::failf(EINVAL, "{}: {}", path, e.what());
  }
}

Status apply_user(runtime::Process& process, const std::string& rootfs, const std::string& spec) {
  BURROW_TRY(auto user, resolve_user_in_root(rootfs, spec));
  process.user.uid = user.uid;
  process.user.gid = user.gid;
  process.user.additional_gids = user.additional_gids;
  // As in the container's own process: only root starts with capabilities.
  auto& caps = process.capabilities;
  caps.effective = user.uid == 0 ? caps.bounding : std::vector<std::string>{};
  caps.permitted = caps.effective;
  return base::ok();
}

}  // namespace

Result<runtime::ExecProcess> start_exec(Engine& engine, const ExecRequest& request) {
  if (request.command.empty())
    return base::fail(EINVAL, "exec requires a command: burrow exec CONTAINER COMMAND...");
  BURROW_TRY(auto record, refresh_container(engine, request.container));
  if (!is_active(record.state) || !init_alive(record))
    return base::failf(EINVAL,
                       "can only create exec sessions on running containers: container {} is "
                       "{}: start it first",
                       record.name, record.state);
  if (record.state == "paused")
    return base::failf(EINVAL, "container {} is paused: unpause it before exec", record.name);
  BURROW_TRY(auto stored, stored_config(record));
  BURROW_TRY(runtime::Spec spec, container_spec(engine.paths(), record.id));
  runtime::Process process = spec.process;
  process.args = request.command;
  for (const auto& entry : request.env) set_env(process.env, entry);
  if (request.workdir) process.cwd = *request.workdir;
  process.terminal = request.tty;
  if (request.tty && !has_env(process.env, "TERM")) set_env(process.env, "TERM=xterm");
  if (request.user) BURROW_CHECK(apply_user(process, spec.root.path, *request.user));
  std::optional<ContainerSeccomp> seccomp;
  if (!request.privileged) {
    BURROW_TRY(seccomp, container_seccomp(engine.paths(), engine.host(), stored.options,
                                          process.capabilities.bounding));
  }
  runtime::ExecOptions options;
  options.init_pid = static_cast<pid_t>(*record.pid);
  options.process = process;
  options.seccomp = seccomp ? &seccomp->program : nullptr;
  options.console_size = request.console_size;
  base::UniqueFd null_fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!request.interactive || request.detach) options.stdin_fd = null_fd.get();
  if (request.detach) options.stdout_fd = options.stderr_fd = null_fd.get();
  if (request.stdout_fd >= 0) options.stdout_fd = request.stdout_fd;
  if (request.stderr_fd >= 0) options.stderr_fd = request.stderr_fd;
  auto started = runtime::exec_in_container(options);
  if (!started) {
    Error error = started.error();
    if (!error.exit_status && (error.code == ENOENT || error.code == EACCES ||
                               error.code == ENOEXEC || error.code == ENOTDIR))
      error.exit_status = runtime::exec_error_exit_code(error.code);
    return tl::unexpected(error);
  }
  if (request.record_events) record_container_event(engine.paths(), record, "exec");
  return std::move(*started);
}

Result<int> exec_in_container(Engine& engine, const ExecRequest& request) {
  BURROW_TRY(runtime::ExecProcess process, start_exec(engine, request));
  if (request.detach) {
    // Its pty must outlive this process, which holds the only master.
    if (auto console = process.take_console())
      BURROW_CHECK(runtime::hold_console_in_background(std::move(console)));
    process.release();
    return 0;
  }
  if (request.tty)
    return base::fail(EINVAL, "exec with a tty in the foreground needs a terminal session");
  BURROW_TRY(int code, runtime::wait_exec(process));
  if (request.record_events) record_exec_died(engine, request.container, code);
  return code;
}

void record_exec_died(Engine& engine, const std::string& container, int exit_code) {
  ContainerStore store(engine.db());
  if (auto record = store.find(container))
    record_container_event(engine.paths(), *record, "exec_died", exit_code);
}

}  // namespace burrow::engine

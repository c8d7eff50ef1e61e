#include "engine/container_remove.h"

#include <signal.h>
#include <unistd.h>

#include "base/child_process.h"
#include "base/file_util.h"
#include "base/log.h"
#include "base/unique_fd.h"
#include "engine/container_config.h"
#include "engine/container_lifecycle.h"
#include "engine/container_network.h"
#include "engine/container_pause.h"
#include "engine/container_state.h"
#include "engine/events.h"
#include "engine/image_resolve.h"
#include "engine/orphan_start.h"
#include "engine/rootfs.h"
#include "engine/signal_names.h"
#include "image/image_config.h"

namespace burrow::engine {
namespace {

Result<int> stop_signal_of(Engine& engine, const ContainerRecord& c, const CreateOptions& options) {
  if (options.stop_signal) return parse_signal(*options.stop_signal);
  auto image = engine.images().find_by_id(c.image_id);
  if (image && *image) {
    auto config = image::parse_image_config((*image)->config);
    if (config && !config->config.stop_signal.empty())
      return parse_signal(config->config.stop_signal);
  }
  return SIGTERM;
}

Result<ContainerRecord> locked_record(Engine& engine, const std::string& id) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto record, store.get(id));
  if (!record)
    return base::failf(ENOENT, "no container with name or ID \"{}\" found: no such container", id);
  return adopt_unrecorded_start(engine, std::move(*record));
}

Status kill_and_wait(const ContainerRecord& c) {
  if (init_alive(c)) ::kill(static_cast<pid_t>(*c.pid), SIGKILL);
  if (!wait_init_exit(c, 10000))
    return base::failf(EBUSY, "container {} did not exit after SIGKILL", c.name);
  return base::ok();
}

}  // namespace

bool wait_init_exit(const ContainerRecord& c, int timeout_ms) {
  if (!init_alive(c)) return true;
  base::UniqueFd pidfd = base::open_pidfd(*c.pid);
  // The pid could have been reused between the check and the open.
  if (!pidfd || !init_alive(c)) return !init_alive(c);
  return base::poll_exit(pidfd, timeout_ms);
}

Status remove_container_locked(Engine& engine, const std::string& id) {
  const StorePaths& paths = engine.paths();
  ContainerStore store(engine.db());
  BURROW_TRY(auto record, store.get(id));
  if (record) {
    if (auto rootfs = container_rootfs_of(engine, *record)) BURROW_CHECK(unmount_rootfs(*rootfs));
  }
  // The files go before the row: a command killed in between leaves a row
  // that the next rm removes, never files that nothing refers to.
  BURROW_CHECK(base::remove_tree(paths.container_dir(id)));
  teardown_network(paths, id);
  BURROW_CHECK(base::remove_tree(paths.container_run_dir(id)));
  BURROW_CHECK(store.remove(id));
  base::debug("container {} removed", id);
  if (record) record_container_event(paths, *record, "remove");
  return base::ok();
}

Result<std::string> remove_container(Engine& engine, const std::string& reference, bool force) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto found, store.find(reference));
  std::optional<int64_t> monitor;
  {
    BURROW_TRY(auto lock, lock_container(engine.paths(), found.id));
    BURROW_TRY(auto record, locked_record(engine, found.id));
    if (is_active(record.state) && init_alive(record)) {
      if (!force) {
        Error error{EBUSY,
                    fmt::format("cannot remove container {} as it is running: stop it first or "
                                "use rm -f",
                                record.id),
                    2};
        return tl::unexpected(error);
      }
      BURROW_CHECK(store.set_state(record.id, "stopping"));
      BURROW_CHECK(kill_and_wait(record));
      // As Podman: the container died of the SIGKILL before it was removed.
      record_container_event(engine.paths(), record, "died", 128 + SIGKILL);
      monitor = record.monitor_pid;
    }
    BURROW_CHECK(remove_container_locked(engine, record.id));
  }
  // The monitor finishes with its exit command, which needs the lock we
  // just gave up; once it has gone nothing of the container is left.
  if (monitor) base::wait_process_exit(static_cast<pid_t>(*monitor), 10000);
  return found.id;
}

Status stop_container(Engine& engine, const std::string& reference, std::optional<int> timeout,
                      std::optional<int> stop_signal) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto found, store.find(reference));
  {
    BURROW_TRY(auto lock, lock_container(engine.paths(), found.id));
    BURROW_TRY(auto record, locked_record(engine, found.id));
    if (is_active(record.state) && init_alive(record)) {
      BURROW_TRY(auto stored, stored_config(record));
      int sig = 0;
      if (stop_signal) {
        sig = *stop_signal;
      } else {
        BURROW_TRY(sig, stop_signal_of(engine, record, stored.options));
      }
      int seconds = timeout.value_or(stored.options.stop_timeout);
      bool paused = record.state == "paused";
      BURROW_CHECK(store.set_state(record.id, "stopping"));
      record.state = "stopping";
      ::kill(static_cast<pid_t>(*record.pid), sig);
      // A stopped process acts on the signal only once it runs again.
      if (paused) resume_processes(static_cast<pid_t>(*record.pid));
      if (!wait_init_exit(record, seconds * 1000)) {
        base::info("container {} did not stop within {} seconds: sending SIGKILL", record.name,
                   seconds);
        BURROW_CHECK(kill_and_wait(record));
      }
    }
  }
  BURROW_CHECK(finish_container(engine, found.id));
  record_container_event(engine.paths(), found, "stop");
  return base::ok();
}

Status kill_container(Engine& engine, const std::string& reference, int signal) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto found, store.find(reference));
  BURROW_TRY(auto lock, lock_container(engine.paths(), found.id));
  BURROW_TRY(auto record, locked_record(engine, found.id));
  if (!is_active(record.state) || !init_alive(record))
    return base::failf(EINVAL, "can only kill running containers. {} is in state {}", record.id,
                       observed(engine.paths(), record).state);
  if (::kill(static_cast<pid_t>(*record.pid), signal) != 0)
    return base::fail_errno("sending signal {} to container {}", signal, record.name);
  record_container_event(engine.paths(), record, "kill");
  return base::ok();
}

}  // namespace burrow::engine

#include "engine/container_pause.h"

#include <signal.h>

#include <chrono>
#include <thread>

#include "base/log.h"
#include "engine/container_procs.h"
#include "engine/container_state.h"
#include "engine/container_store.h"

namespace burrow::engine {
namespace {

// A process in uninterruptible sleep stops only when it leaves it; give it
// a few seconds before reporting the container as not pausable.
constexpr int kMaxFreezePasses = 5000;
constexpr auto kPassInterval = std::chrono::milliseconds(1);

bool stopped_or_gone(pid_t pid) {
  auto info = read_process_info(pid);
  return !info || info->state == 'T' || info->state == 't' || info->state == 'Z' ||
         info->state == 'X';
}

// Processes may fork between listing and signalling; new ones appear in the
// next pass, and a pass that finds everything stopped ends it.
Status stop_all_processes(pid_t init_pid) {
  for (int pass = 0; pass < kMaxFreezePasses; ++pass) {
    BURROW_TRY(auto pids, container_pids(init_pid));
    bool all_stopped = true;
    for (pid_t pid : pids) {
      if (stopped_or_gone(pid)) continue;
      all_stopped = false;
      ::kill(pid, SIGSTOP);
    }
    if (all_stopped) return base::ok();
    std::this_thread::sleep_for(kPassInterval);
  }
  return base::failf(EBUSY, "some processes of the container did not stop");
}

Result<ContainerRecord> running_record(Engine& engine, const std::string& id) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto record, store.get(id));
  if (!record)
    return base::failf(ENOENT, "no container with name or ID \"{}\" found: no such container", id);
  if (!is_active(record->state) || !init_alive(*record)) record->state = "exited";
  return std::move(*record);
}

}  // namespace

void resume_processes(pid_t init_pid) {
  auto pids = container_pids(init_pid);
  if (!pids) return;
  for (pid_t pid : *pids) ::kill(pid, SIGCONT);
}

Result<std::string> pause_container(Engine& engine, const std::string& reference) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto found, store.find(reference));
  BURROW_TRY(auto lock, lock_container(engine.paths(), found.id));
  BURROW_TRY(auto record, running_record(engine, found.id));
  if (record.state == "paused")
    return base::failf(EINVAL, "\"{}\" is already paused: unpause it first", record.name);
  if (record.state != "running")
    return base::failf(EINVAL, "\"{}\" is not running, can't pause: container state improper",
                       record.name);
  auto init = static_cast<pid_t>(*record.pid);
  if (auto stopped = stop_all_processes(init); !stopped) {
    resume_processes(init);
    return tl::unexpected(stopped.error());
  }
  BURROW_CHECK(store.set_state(record.id, "paused"));
  base::debug("container {} paused", record.id);
  return record.id;
}

Result<std::string> unpause_container(Engine& engine, const std::string& reference) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto found, store.find(reference));
  BURROW_TRY(auto lock, lock_container(engine.paths(), found.id));
  BURROW_TRY(auto record, running_record(engine, found.id));
  if (record.state != "paused")
    return base::failf(EINVAL, "\"{}\" is not paused, can't unpause: container state improper",
                       record.name);
  resume_processes(static_cast<pid_t>(*record.pid));
  BURROW_CHECK(store.set_state(record.id, "running"));
  return record.id;
}

}  // namespace burrow::engine

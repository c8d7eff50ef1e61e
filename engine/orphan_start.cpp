#include "engine/orphan_start.h"

#include <signal.h>

#include <cstdlib>

#include "base/child_process.h"
#include "base/clock.h"
#include "base/file_util.h"
#include "base/log.h"
#include "engine/container_procs.h"
#include "engine/container_state.h"

namespace burrow::engine {

std::optional<pid_t> monitor_init_pid(const std::vector<std::string>& args,
                                      const std::string& exit_file) {
  if (args.empty()) return std::nullopt;
  const std::string& program = args.front();
  if (program.substr(program.rfind('/') + 1) != "burrow-monitor") return std::nullopt;
  bool names_exit_file = false;
  std::optional<pid_t> init;
  for (size_t i = 1; i + 1 < args.size(); ++i) {
    if (args[i] == "--exit-file" && args[i + 1] == exit_file) names_exit_file = true;
    if (args[i] == "--pid") {
      char* end = nullptr;
      long pid = std::strtol(args[i + 1].c_str(), &end, 10);
      if (end != args[i + 1].c_str() && *end == '\0' && pid > 0) init = static_cast<pid_t>(pid);
    }
  }
  if (!names_exit_file) return std::nullopt;
  return init;
}

std::optional<FoundMonitor> find_monitor_process(const std::string& exit_file) {
  for (pid_t pid : all_pids()) {
    auto init = monitor_init_pid(process_args(pid), exit_file);
    if (init) return FoundMonitor{pid, *init};
  }
  return std::nullopt;
}

Result<ContainerRecord> adopt_unrecorded_start(Engine& engine, ContainerRecord record) {
  if (is_active(record.state)) return record;
  // A start makes the run directory just before it spawns the monitor, and
  // the end of the container removes it: without it there is nothing to find.
  if (!base::path_exists(engine.paths().container_run_dir(record.id))) return record;
  auto found = find_monitor_process(exit_file_path(engine.paths(), record.id));
  if (!found || ::kill(found->init_pid, 0) != 0) return record;
  record.pid = found->init_pid;
  record.pid_start = base::process_start_time(found->init_pid);
  record.monitor_pid = found->monitor_pid;
  record.started_ns = base::unix_now_ns();
  record.state = "running";
  ContainerStore store(engine.db());
  BURROW_CHECK(store.set_running(record));
  base::info("container {} was started by a command that did not finish: recorded it as running",
             record.name);
  return record;
}

}  // namespace burrow::engine

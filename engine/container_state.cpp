#include "engine/container_state.h"

#include <signal.h>

#include <cstdio>

#include "base/child_process.h"
#include "base/file_util.h"

namespace burrow::engine {

std::string exit_file_path(const StorePaths& paths, const std::string& id) {
  return base::path_join(paths.container_run_dir(id), "exit");
}

std::string attach_socket_path(const StorePaths& paths, const std::string& id) {
  return base::path_join(paths.container_run_dir(id), "attach");
}

std::string log_file_path(const StorePaths& paths, const std::string& id) {
  return base::path_join(base::path_join(paths.container_dir(id), "userdata"), "ctr.log");
}

std::optional<ExitRecord> read_exit_file(const StorePaths& paths, const std::string& id) {
  auto text = base::read_file_limited(exit_file_path(paths, id), 256);
  if (!text) return std::nullopt;
  long long code = 0, finished = 0;
  char end = 0;
  if (std::sscanf(text->c_str(), "%lld %lld%c", &code, &finished, &end) != 3 || end != '\n')
    return std::nullopt;
  return ExitRecord{code, finished};
}

bool init_alive(const ContainerRecord& c) {
  if (!c.pid || *c.pid <= 0) return false;
  std::string start = base::process_start_time(static_cast<pid_t>(*c.pid));
  return !start.empty() && (c.pid_start.empty() || start == c.pid_start);
}

bool is_active(const std::string& state) {
  return state == "running" || state == "stopping" || state == "paused";
}

ContainerRecord observed(const StorePaths& paths, ContainerRecord c) {
  if (!is_active(c.state) || init_alive(c)) return c;
  auto exit = read_exit_file(paths, c.id);
  c.state = "exited";
  c.exit_code = exit ? exit->code : -1;
  if (exit) c.finished_ns = exit->finished_ns;
  c.pid.reset();
  return c;
}

Result<base::FileLock> lock_container(const StorePaths& paths, const std::string& id) {
  std::string dir = base::path_join(paths.run_root, "locks");
  BURROW_CHECK(base::make_dirs(dir, 0700));
  return base::FileLock::acquire(base::path_join(dir, id + ".lock"));
}

}  // namespace burrow::engine

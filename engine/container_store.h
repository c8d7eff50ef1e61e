// Container rows in the state database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/database.h"

namespace burrow::engine {

struct ContainerRecord {
  std::string id;
  std::string name;
  std::string image_id;
  std::string image_name;
  // Times are Unix nanoseconds (schema 3 on; earlier rows held seconds).
  int64_t created_ns = 0;
  std::string state = "created";  // created, running, stopping, exited
  std::string config;             // JSON of the create options and the command
  std::optional<int64_t> pid;
  std::optional<int64_t> exit_code;
  std::optional<int64_t> started_ns;
  std::optional<int64_t> finished_ns;
  std::optional<int64_t> monitor_pid;
  std::string pid_start;  // the init's start time in /proc/PID/stat
  int64_t restarts = 0;
};

class ContainerStore {
 public:
  explicit ContainerStore(Database& db) : db_(db) {}

  // Fails with EEXIST naming the fix when the name is taken.
  Status add(const ContainerRecord& container);
  Status set_running(const ContainerRecord& running);  // pid, pid_start, monitor_pid, started_ns
  Status set_exited(const std::string& id, int64_t exit_code, int64_t finished_ns);
  Status set_state(const std::string& id, const std::string& state);
  Status set_restarts(const std::string& id, int64_t restarts);
  Status rename(const std::string& id, const std::string& name);
  Status set_config(const std::string& id, const std::string& config);  // stored options
  Status remove(const std::string& id);
  Result<std::vector<ContainerRecord>> list();
  // By full id, name or unique id prefix, as Podman accepts them; ENOENT
  // naming the reference when there is none.
  Result<ContainerRecord> find(const std::string& reference);
  Result<std::optional<ContainerRecord>> get(const std::string& id);
  Result<bool> name_taken(const std::string& name);

 private:
  Database& db_;
};

// "adjective_animal", as Podman and Docker name unnamed containers.
std::string random_container_name();

}  // namespace burrow::engine

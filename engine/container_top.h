// `top`: the processes of a running container as a table of ps(1) AIX
// format descriptors ("user", "pid", "args", or their "%U" codes), the way
// Podman prints them (durations in Go's notation, "2h5m38.7s").
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "engine/container_procs.h"
#include "engine/engine.h"

namespace burrow::engine {

inline const std::vector<std::string> kDefaultTopDescriptors = {"user",  "pid", "ppid", "pcpu",
                                                                "etime", "tty", "time", "args"};

// Splits arguments such as {"pid,user", "args"} into descriptors, mapping the
// "%p" codes to names. Nullopt when one is unknown: Podman then runs ps(1)
// inside the container with the arguments as given.
std::optional<std::vector<std::string>> parse_top_descriptors(
    const std::vector<std::string>& arguments);

// The column title of a known descriptor ("pcpu" -> "%CPU").
std::string top_header(const std::string& descriptor);

// What the container's processes need to be shown: its /etc/passwd and
// /etc/group, the uid/gid maps of its user namespace, and time.
struct TopContext {
  std::string passwd, group;            // the container's
  std::string host_passwd, host_group;  // for huser and hgroup
  std::string uid_map, gid_map;  // /proc/INIT/uid_map as this process reads it; "" = identity
  int64_t now_boot_ns = 0;       // CLOCK_BOOTTIME
  int64_t ticks_per_second = 100;
};

// One cell of the table.
std::string top_cell(const std::string& descriptor, const ProcessInfo& process,
                     const TopContext& context);

// Maps an id seen from outside the container's user namespace back to the
// container's view using its uid_map/gid_map content; identity for "".
int64_t id_inside(int64_t outside_id, const std::string& map);

struct TopTable {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
};

// The table for a running container; an Error exit 125 when it is not.
Result<TopTable> container_top(Engine& engine, const std::string& reference,
                               const std::vector<std::string>& descriptors);

}  // namespace burrow::engine

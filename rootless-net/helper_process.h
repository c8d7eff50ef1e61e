// The uplink helpers (pasta, slirp4netns) outlive the command that starts
// them: they run until the container's network is torn down, by whichever
// burrow command finishes the container.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.h"

namespace burrow::net {

// A running helper, as recorded for its teardown: the start time guards
// against signalling a process that reused the pid.
struct HelperProcess {
  pid_t pid = -1;
  std::string start_time;
};

// Starts argv in a session of its own (a terminal's ^C must not reach it)
// in work_dir, stdin and stdout on /dev/null, stderr (where the helpers
// say what went wrong) appended to log_path, and pass_fd (if >= 0) as its
// descriptor kPassedFd. Does not wait.
inline constexpr int kPassedFd = 3;
Result<pid_t> spawn_helper(const std::vector<std::string>& argv, const std::string& work_dir,
                           const std::string& log_path, int pass_fd = -1);

// The helper's own words for a failure: the last lines of its log.
std::string helper_log_tail(const std::string& log_path);

// SIGTERM to the helper when it is still the process recorded.
void stop_helper(const HelperProcess& helper);

}  // namespace burrow::net

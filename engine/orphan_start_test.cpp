#include "engine/orphan_start.h"

#include <gtest/gtest.h>

namespace burrow::engine {
namespace {

const std::string kExit = "/run/user/1000/burrow/containers/abc/exit";

TEST(MonitorInitPid, FindsTheInitOfTheMonitorNamingTheExitFile) {
  std::vector<std::string> args = {
      "/usr/lib/burrow/burrow-monitor", "--id", "abc", "--pid", "4242", "--exit-file", kExit};
  EXPECT_EQ(monitor_init_pid(args, kExit), 4242);
}

TEST(MonitorInitPid, IgnoresOtherProcessesAndOtherContainers) {
  EXPECT_FALSE(monitor_init_pid({}, kExit));
  // Another container's monitor.
  EXPECT_FALSE(monitor_init_pid({"burrow-monitor", "--pid", "7", "--exit-file", "/x/exit"}, kExit));
  // Not a monitor, even with the same arguments.
  EXPECT_FALSE(monitor_init_pid({"/bin/sh", "--pid", "7", "--exit-file", kExit}, kExit));
  // A monitor without a usable --pid.
  EXPECT_FALSE(monitor_init_pid({"burrow-monitor", "--pid", "x", "--exit-file", kExit}, kExit));
  EXPECT_FALSE(monitor_init_pid({"burrow-monitor", "--exit-file", kExit, "--pid"}, kExit));
}

}  // namespace
}  // namespace burrow::engine

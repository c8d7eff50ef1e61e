#include "runtime/monitor/monitor_options.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "runtime/monitor/attach_server.h"

namespace burrow::monitor {
namespace {

struct Parsed {
  bool ok = false;
  std::string error;
  MonitorOptions options;
};

Parsed parse(std::vector<std::string> args) {
  args.insert(args.begin(), "burrow-monitor");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  static std::vector<std::vector<std::string>> keep_alive;  // options point into argv
  keep_alive.push_back(args);
  argv.clear();
  for (std::string& arg : keep_alive.back()) argv.push_back(arg.data());
  Parsed parsed;
  char error[512] = "";
  parsed.ok = parse_monitor_options(static_cast<int>(argv.size()), argv.data(), &parsed.options,
                                    error, sizeof error);
  parsed.error = error;
  return parsed;
}

const std::vector<std::string> kMinimal = {"--pid",       "42",         "--exit-file",
                                           "/run/x/exit", "--log-path", "/run/x/log"};

std::vector<std::string> with(std::vector<std::string> extra) {
  std::vector<std::string> args = kMinimal;
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(MonitorOptionsTest, ParsesEveryOption) {
  Parsed parsed = parse({"--id",
                         "abc",
                         "--pid",
                         "42",
                         "--stdout-fd",
                         "3",
                         "--stderr-fd=4",
                         "--stdin-fd",
                         "5",
                         "--log-driver",
                         "json-file",
                         "--log-path",
                         "/l",
                         "--log-max-size",
                         "1048576",
                         "--exit-file",
                         "/e",
                         "--attach-socket",
                         "/a",
                         "--forward-stdout-fd",
                         "6",
                         "--forward-stderr-fd",
                         "7",
                         "--sync-fd",
                         "8",
                         "--exit-command",
                         "/bin/burrow",
                         "--exit-command",
                         "cleanup",
                         "--exit-command",
                         "--rm"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  const MonitorOptions& o = parsed.options;
  EXPECT_STREQ(o.id, "abc");
  EXPECT_EQ(o.pid, 42);
  EXPECT_EQ(o.stdout_fd, 3);
  EXPECT_EQ(o.stderr_fd, 4);
  EXPECT_EQ(o.stdin_fd, 5);
  EXPECT_EQ(o.tty_fd, -1);
  EXPECT_EQ(o.log_driver, LogDriver::kJsonFile);
  EXPECT_STREQ(o.log_path, "/l");
  EXPECT_EQ(o.log_max_size, 1048576u);
  EXPECT_STREQ(o.exit_file, "/e");
  EXPECT_STREQ(o.attach_socket, "/a");
  EXPECT_EQ(o.forward_stdout_fd, 6);
  EXPECT_EQ(o.forward_stderr_fd, 7);
  EXPECT_EQ(o.sync_fd, 8);
  ASSERT_EQ(o.exit_command_count, 3);
  EXPECT_STREQ(o.exit_command[0], "/bin/burrow");
  EXPECT_STREQ(o.exit_command[2], "--rm");  // a value, even though it looks like an option
  EXPECT_EQ(o.exit_command[3], nullptr);
}

TEST(MonitorOptionsTest, Defaults) {
  Parsed parsed = parse(kMinimal);
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.log_driver, LogDriver::kK8sFile);
  EXPECT_EQ(parsed.options.log_max_size, 0u);
  EXPECT_EQ(parsed.options.sync_fd, -1);
  EXPECT_EQ(parsed.options.exit_command_count, 0);
  EXPECT_EQ(parsed.options.exit_command[0], nullptr);
}

TEST(MonitorOptionsTest, ParsesHealthcheckTimer) {
  Parsed parsed = parse(with({"--healthcheck-interval-ms", "1500", "--healthcheck-command",
                              "/bin/burrow", "--healthcheck-command", "healthcheck"}));
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.healthcheck_interval_ms, 1500);
  ASSERT_EQ(parsed.options.healthcheck_command_count, 2);
  EXPECT_STREQ(parsed.options.healthcheck_command[1], "healthcheck");
  EXPECT_EQ(parsed.options.healthcheck_command[2], nullptr);
  EXPECT_FALSE(parse(with({"--healthcheck-command", "burrow"})).ok);  // not absolute
  EXPECT_FALSE(parse(with({"--healthcheck-interval-ms", "-1"})).ok);
}

TEST(MonitorOptionsTest, RejectsUnknownOptionsAndArguments) {
  EXPECT_EQ(parse(with({"--bogus", "1"})).error, "unknown option --bogus");
  EXPECT_EQ(parse(with({"--bogus"})).error, "unknown option --bogus");
  EXPECT_EQ(parse(with({"--pid-x=1"})).error, "unknown option --pid-x");
  EXPECT_EQ(parse(with({"stray"})).error, "unexpected argument \"stray\"");
  EXPECT_EQ(parse(with({"--"})).error, "unknown option --");
}

TEST(MonitorOptionsTest, RejectsBadValues) {
  EXPECT_EQ(parse(with({"--stdout-fd", "x"})).error, "--stdout-fd \"x\": not a file descriptor");
  EXPECT_FALSE(parse(with({"--stdout-fd", "-1"})).ok);
  EXPECT_FALSE(parse(with({"--stdout-fd", " 3"})).ok);
  EXPECT_FALSE(parse(with({"--stdout-fd", "3x"})).ok);
  EXPECT_FALSE(parse(with({"--pid", "0"})).ok);
  EXPECT_FALSE(parse(with({"--pid", "99999999999"})).ok);
  EXPECT_FALSE(parse(with({"--log-max-size", "-5"})).ok);
  EXPECT_EQ(parse(with({"--log-driver", "journald"})).error,
            "--log-driver \"journald\": not one of k8s-file, json-file, none");
  EXPECT_EQ(parse(with({"--sync-fd"})).error, "option --sync-fd needs a value");
}

TEST(MonitorOptionsTest, RequiresPidExitFileAndLogPath) {
  EXPECT_EQ(parse({"--exit-file", "/e", "--log-path", "/l"}).error, "--pid is required");
  EXPECT_EQ(parse({"--pid", "1", "--log-path", "/l"}).error, "--exit-file is required");
  EXPECT_EQ(parse({"--pid", "1", "--exit-file", "/e"}).error,
            "--log-path is required unless --log-driver is none");
  EXPECT_TRUE(parse({"--pid", "1", "--exit-file", "/e", "--log-driver", "none"}).ok);
}

TEST(MonitorOptionsTest, RejectsIncoherentCombinations) {
  EXPECT_FALSE(parse(with({"--tty-fd", "3", "--stdout-fd", "4"})).ok);
  EXPECT_FALSE(parse(with({"--tty-fd", "3", "--stdin-fd", "4"})).ok);
  EXPECT_TRUE(parse(with({"--tty-fd", "3"})).ok);
}

TEST(MonitorOptionsTest, RequiresAbsolutePaths) {
  const char* message =
      "paths must be absolute (exit file, log, attach socket, exit and healthcheck commands)";
  EXPECT_EQ(parse({"--pid", "1", "--exit-file", "exit", "--log-path", "/l"}).error, message);
  EXPECT_EQ(parse({"--pid", "1", "--exit-file", "/e", "--log-path", "l"}).error, message);
  EXPECT_EQ(parse(with({"--attach-socket", "a.sock"})).error, message);
  EXPECT_EQ(parse(with({"--exit-command", "burrow"})).error, message);
  EXPECT_TRUE(
      parse({"--pid", "1", "--exit-file", "/e", "--log-driver", "none", "--log-path", "ignored"})
          .ok);
}

TEST(MonitorOptionsTest, LimitsExitCommandArguments) {
  std::vector<std::string> args = kMinimal;
  for (int i = 0; i <= kMaxExitCommandArgs; ++i) {
    args.push_back("--exit-command");
    args.push_back("/x");
  }
  EXPECT_EQ(parse(args).error, "--exit-command \"/x\": too many arguments");
}

TEST(ClientMessageTest, ParsesEachRequest) {
  ClientMessage stdin_message = parse_client_message("\0hi\n", 4);
  EXPECT_EQ(stdin_message.request, ClientRequest::kStdin);
  EXPECT_EQ(std::string(stdin_message.data, stdin_message.length), "hi\n");

  char resize[5] = {1};
  uint16_t rows = 33, cols = 101;
  std::memcpy(resize + 1, &rows, 2);
  std::memcpy(resize + 3, &cols, 2);
  ClientMessage resize_message = parse_client_message(resize, sizeof resize);
  EXPECT_EQ(resize_message.request, ClientRequest::kResize);
  EXPECT_EQ(resize_message.rows, 33);
  EXPECT_EQ(resize_message.cols, 101);

  EXPECT_EQ(parse_client_message("\2", 1).request, ClientRequest::kCloseStdin);
  EXPECT_EQ(parse_client_message("\1\0", 2).request, ClientRequest::kInvalid);  // short resize
  EXPECT_EQ(parse_client_message("\7", 1).request, ClientRequest::kInvalid);
  EXPECT_EQ(parse_client_message("", 0).request, ClientRequest::kInvalid);
}

}  // namespace
}  // namespace burrow::monitor

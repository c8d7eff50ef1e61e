// Runs the real burrow-monitor the way the burrow CLI starts it: a forked
// child M makes the container's pipes (or pty), forks the "container" (a
// shell script), closes the container's ends, and execs the monitor with
// the rest. Nothing here needs privileges.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

int64_t now_ns() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Reads `fd` until EOF (or 10 s without data).
std::string read_until_eof(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    pollfd wait{fd, POLLIN, 0};
    if (poll(&wait, 1, 10000) <= 0) break;
    ssize_t got = read(fd, buffer, sizeof buffer);
    if (got <= 0) break;
    text.append(buffer, static_cast<size_t>(got));
  }
  return text;
}

// How the test wants the container and its monitor set up.
struct ContainerSetup {
  std::string script = {};  // run as /bin/sh -c script
  bool tty = false;
  bool stdin_pipe = false;
  std::string log_driver = "k8s-file";
  std::vector<std::string> args = {};  // more monitor options
  std::string time_zone = "UTC0";
  // The container exits before the monitor is started, as it may when a
  // short command races the exec.
  bool exec_late = false;
};

class MonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/burrow-monitor-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // Forks M, which starts the container and execs the monitor. Descriptors
  // the monitor should inherit (forwarding, sync) must be open in this
  // process without CLOEXEC; the caller closes its copies after start().
  pid_t start(const ContainerSetup& setup) {
    started_ns_ = now_ns();
    pid_t m = fork();
    if (m == 0) become_m(setup);
    return m;
  }

  // Waits for M (the monitor after exec) and returns its exit status; a
  // monitor still running after 20 s is killed and reported as -2, so a
  // monitor that hangs fails the test instead of stalling the suite.
  static int wait_exit(pid_t m) {
    int status = 0;
    for (int i = 0; i < 2000; ++i) {
      pid_t done = waitpid(m, &status, WNOHANG);
      if (done == m) return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
      if (done < 0) return -1;
      std::this_thread::sleep_for(10ms);
    }
    kill(m, SIGKILL);
    waitpid(m, &status, 0);
    return -2;
  }

  fs::path path(const std::string& name) const { return dir_ / name; }
  std::string log() const { return read_file(path("log")); }
  std::string exit_file() const { return read_file(path("exit")); }
  std::string monitor_stderr() const { return read_file(path("monitor.err")); }

  // "<code> <ns>\n", with a time between the start and now.
  void expect_exit_file(int code) const {
    std::string text = exit_file();
    std::smatch match;
    ASSERT_TRUE(std::regex_match(text, match, std::regex("(\\d+) (\\d+)\n"))) << text;
    EXPECT_EQ(std::stoi(match[1]), code);
    int64_t finished = std::stoll(match[2]);
    EXPECT_GE(finished, started_ns_);
    EXPECT_LE(finished, now_ns());
    EXPECT_FALSE(fs::exists(path("exit.tmp")));
  }

  fs::path dir_;
  int64_t started_ns_ = 0;

 private:
  [[noreturn]] void become_m(const ContainerSetup& setup) {
    int out[2] = {-1, -1}, err[2] = {-1, -1}, in[2] = {-1, -1};
    int master = -1;
    std::string slave;
    if (setup.tty) {
      master = posix_openpt(O_RDWR | O_NOCTTY);
      if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) _exit(90);
      slave = ptsname(master);
    } else {
      if (pipe(out) < 0 || pipe(err) < 0) _exit(90);
      if (setup.stdin_pipe && pipe(in) < 0) _exit(90);
    }
    pid_t container = fork();
    if (container == 0) {
      setsid();
      if (setup.tty) {
        int fd = open(slave.c_str(), O_RDWR);  // becomes the controlling tty
        if (fd < 0) _exit(91);
        dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
      } else {
        int null_fd = open("/dev/null", O_RDONLY);
        dup2(setup.stdin_pipe ? in[0] : null_fd, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
      }
      close_range(3, ~0U, 0);
      execl("/bin/sh", "sh", "-c", setup.script.c_str(), nullptr);
      _exit(127);
    }
    std::vector<std::string> args = {BURROW_MONITOR_PATH, "--id", "test", "--pid",
                                     std::to_string(container)};
    if (setup.tty) {
      args.insert(args.end(), {"--tty-fd", std::to_string(master)});
    } else {
      close(out[1]), close(err[1]);
      args.insert(args.end(),
                  {"--stdout-fd", std::to_string(out[0]), "--stderr-fd", std::to_string(err[0])});
      if (setup.stdin_pipe) {
        close(in[0]);
        args.insert(args.end(), {"--stdin-fd", std::to_string(in[1])});
      }
    }
    args.insert(args.end(), {"--log-driver", setup.log_driver, "--exit-file", path("exit")});
    if (setup.log_driver != "none") args.insert(args.end(), {"--log-path", path("log")});
    args.insert(args.end(), setup.args.begin(), setup.args.end());
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    // As the CLI does: stdio to /dev/null (stderr kept in a file for tests).
    int null_fd = open("/dev/null", O_RDWR);
    int err_fd = open(path("monitor.err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(null_fd, 0), dup2(null_fd, 1), dup2(err_fd, 2);
    setenv("TZ", setup.time_zone.c_str(), 1);
    if (setup.exec_late) {
      // The container exits and its SIGCHLD (ignored by default) is lost.
      siginfo_t info{};
      waitid(P_PID, static_cast<id_t>(container), &info, WEXITED | WNOWAIT);
    }
    execv(argv[0], argv.data());
    _exit(92);
  }
};

// A connected attach client.
class AttachClient {
 public:
  // Connects to `socket_path`, retrying for up to 5 s while the monitor
  // starts listening.
  explicit AttachClient(const fs::path& socket_path) {
    fd_ = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    // Long paths through the directory, as the monitor binds them.
    int dir_fd = open(socket_path.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    std::string address =
        "/proc/self/fd/" + std::to_string(dir_fd) + "/" + socket_path.filename().string();
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    std::snprintf(un.sun_path, sizeof un.sun_path, "%s", address.c_str());
    for (int i = 0; i < 500 && !connected_; ++i) {
      connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&un), sizeof un) == 0;
      if (!connected_) std::this_thread::sleep_for(10ms);
    }
    close(dir_fd);
  }
  ~AttachClient() { close(fd_); }

  bool connected() const { return connected_; }

  void send_message(const std::string& message) {
    ASSERT_EQ(send(fd_, message.data(), message.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(message.size()));
  }
  void send_stdin(const std::string& data) { send_message(std::string(1, '\0') + data); }
  void send_resize(uint16_t rows, uint16_t cols) {
    char message[5] = {1};
    std::memcpy(message + 1, &rows, 2);
    std::memcpy(message + 3, &cols, 2);
    send_message(std::string(message, sizeof message));
  }

  // One message, or "" on EOF or after 10 s.
  std::string receive() {
    pollfd wait{fd_, POLLIN, 0};
    if (poll(&wait, 1, 10000) <= 0) return "";
    char buffer[16384];
    ssize_t got = recv(fd_, buffer, sizeof buffer, 0);
    return got > 0 ? std::string(buffer, static_cast<size_t>(got)) : "";
  }

  // Collects output until `stdout_text` contains `wanted`.
  bool receive_until(const std::string& wanted) {
    while (stdout_text.find(wanted) == std::string::npos) {
      if (!take(receive())) return false;
    }
    return true;
  }

  // Collects everything up to the exit message; returns the exit code text.
  std::string receive_to_end() {
    for (;;) {
      std::string message = receive();
      if (message.empty()) return "<eof>";
      if (message[0] == 3) {
        exit_message = message.substr(1);
        return receive().empty() ? exit_message : "<more after exit>";
      }
      take(message);
    }
  }

  std::string stdout_text, stderr_text, exit_message;

 private:
  bool take(const std::string& message) {
    if (message.empty()) return false;
    if (message[0] == 1) {
      stdout_text += message.substr(1);
    } else if (message[0] == 2) {
      stderr_text += message.substr(1);
    } else {
      ADD_FAILURE() << "unexpected message kind " << int(message[0]);
      return false;
    }
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
};

const std::string kScript = R"(printf "one\ntw"; sleep 0.5; printf "o\n"; echo err >&2; exit 3)";

// The records of one stream in a k8s-file log, as "F text" / "P text".
std::vector<std::string> k8s_records(const std::string& log, const std::string& stream,
                                     const std::string& offset) {
  static const std::regex record(
      R"((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9})([+-]\d\d:\d\d) (stdout|stderr) ([FP]) ([^\n]*))");
  std::vector<std::string> records;
  for (const std::string& line : lines_of(log)) {
    std::smatch match;
    EXPECT_TRUE(std::regex_match(line, match, record)) << line;
    EXPECT_EQ(match[2], offset) << line;
    if (match[3] == stream) records.push_back(match[4].str() + " " + match[5].str());
  }
  return records;
}

TEST_F(MonitorTest, K8sFileLogHasFullAndPartialRecordsOfBothStreams) {
  pid_t m = start({.script = kScript});
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  std::string text = log();
  EXPECT_EQ(k8s_records(text, "stdout", "+00:00"),
            (std::vector<std::string>{"F one", "P tw", "F o"}))
      << text;
  EXPECT_EQ(k8s_records(text, "stderr", "+00:00"), std::vector<std::string>{"F err"}) << text;
  expect_exit_file(3);
  EXPECT_EQ(fs::status(path("log")).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(MonitorTest, K8sFileTimeIsLocalWithNumericOffset) {
  pid_t m = start({.script = "echo hi", .time_zone = "<-0330>3:30"});
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  EXPECT_EQ(k8s_records(log(), "stdout", "-03:30"), std::vector<std::string>{"F hi"});
}

TEST_F(MonitorTest, JsonFileLog) {
  pid_t m = start({.script = kScript, .log_driver = "json-file"});
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  static const std::regex record(
      R"re(\{"log":"(.*)","stream":"(stdout|stderr)","time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z"\})re");
  std::vector<std::string> out, err;
  for (const std::string& line : lines_of(log())) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(line, match, record)) << line;
    (match[2] == "stdout" ? out : err).push_back(match[1]);
  }
  EXPECT_EQ(out, (std::vector<std::string>{"one\\n", "tw", "o\\n"}));
  EXPECT_EQ(err, std::vector<std::string>{"err\\n"});
  expect_exit_file(3);
}

TEST_F(MonitorTest, JsonFileEscapesText) {
  pid_t m = start({.script = R"(printf 'a"b\\c\t\001\n')", .log_driver = "json-file"});
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  EXPECT_EQ(log().substr(0, 32), R"({"log":"a\"b\\c\t\u0001\n","stre)");
}

TEST_F(MonitorTest, LogDriverNoneWritesNoLog) {
  pid_t m = start({.script = "echo hi; exit 4", .log_driver = "none"});
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  EXPECT_FALSE(fs::exists(path("log")));
  expect_exit_file(4);
}

TEST_F(MonitorTest, ExitCodeOfAKilledContainerIs128PlusSignal) {
  pid_t m = start({.script = "kill -9 $$"});
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  expect_exit_file(128 + SIGKILL);
}

TEST_F(MonitorTest, ContainerThatExitedBeforeTheMonitorStartedIsSeen) {
  pid_t m = start({.script = "echo early; exit 7", .exec_late = true});
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  expect_exit_file(7);
  EXPECT_EQ(k8s_records(log(), "stdout", "+00:00"), std::vector<std::string>{"F early"});
}

TEST_F(MonitorTest, DoesNotWaitForProcessesThatKeepTheOutputOpen) {
  // The background sleep keeps stdout's write end open; the monitor must
  // finish when the container's init exits, not when the pipe closes.
  pid_t m = start({.script = "sleep 30 & echo $! > " + path("bg").string() + "; echo bye"});
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(k8s_records(log(), "stdout", "+00:00"), std::vector<std::string>{"F bye"});
  expect_exit_file(0);
  kill(std::stoi(read_file(path("bg"))), SIGKILL);
}

TEST_F(MonitorTest, LogMaxSizeTruncatesTheLog) {
  // Each record is 52 bytes or so; three fit in 200, so the log is cut to
  // zero before records 4, 7 and 10, whichever way the reads split them.
  pid_t m = start({.script = "for i in 1 2 3 4 5 6 7 8 9 10; do echo line$i; sleep 0.01; done",
                   .args = {"--log-max-size", "200"}});
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  EXPECT_EQ(k8s_records(log(), "stdout", "+00:00"), std::vector<std::string>{"F line10"});
  EXPECT_LE(fs::file_size(path("log")), 200u);
}

TEST_F(MonitorTest, ForwardsEachStreamToItsDescriptor) {
  int out[2], err[2];
  ASSERT_EQ(pipe(out), 0);
  ASSERT_EQ(pipe(err), 0);
  pid_t m = start({.script = kScript,
                   .args = {"--forward-stdout-fd", std::to_string(out[1]), "--forward-stderr-fd",
                            std::to_string(err[1])}});
  close(out[1]), close(err[1]);
  EXPECT_EQ(read_until_eof(out[0]), "one\ntwo\n");
  EXPECT_EQ(read_until_eof(err[0]), "err\n");
  close(out[0]), close(err[0]);
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  expect_exit_file(3);
}

TEST_F(MonitorTest, ForwardingToAClosedPipeStopsOnlyTheForwarding) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  close(out[0]);  // every write gets EPIPE
  pid_t m = start({.script = "echo a; sleep 0.05; echo b",
                   .args = {"--forward-stdout-fd", std::to_string(out[1])}});
  close(out[1]);
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  EXPECT_EQ(k8s_records(log(), "stdout", "+00:00"), (std::vector<std::string>{"F a", "F b"}));
  EXPECT_NE(monitor_stderr().find("no longer forwarding"), std::string::npos) << monitor_stderr();
}

class SyncTest : public MonitorTest {
 protected:
  // Runs kScript with a sync socket and `/bin/touch marker` as exit command;
  // `answer` is what the CLI's end does after reading the exit code.
  void run(const std::string& answer, bool close_without_answer) {
    // The CLI's end must not reach the monitor, or the monitor would hold
    // both ends and never see the CLI go away; only pair[1] is inherited.
    int pair[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
    ASSERT_EQ(fcntl(pair[1], F_SETFD, 0), 0);
    pid_t m = start({.script = kScript,
                     .args = {"--sync-fd", std::to_string(pair[1]), "--exit-command", "/bin/touch",
                              "--exit-command", path("marker")}});
    close(pair[1]);
    char code[8] = {};
    pollfd wait{pair[0], POLLIN, 0};
    ASSERT_EQ(poll(&wait, 1, 10000), 1);
    EXPECT_EQ(read(pair[0], code, sizeof code - 1), 2);
    EXPECT_STREQ(code, "3\n");
    // The exit file is written before the CLI is told.
    expect_exit_file(3);
    if (!close_without_answer) {
      ASSERT_EQ(write(pair[0], answer.data(), answer.size()), ssize_t(answer.size()));
    }
    close(pair[0]);
    EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  }
};

TEST_F(SyncTest, AcknowledgedByTheCliSkipsTheExitCommand) {
  run("A", false);
  EXPECT_FALSE(fs::exists(path("marker")));
}

TEST_F(SyncTest, CliGoneRunsTheExitCommand) {
  run("", true);
  EXPECT_TRUE(fs::exists(path("marker")));
}

TEST_F(SyncTest, AnyOtherAnswerRunsTheExitCommand) {
  run("x", false);
  EXPECT_TRUE(fs::exists(path("marker")));
}

TEST_F(MonitorTest, ExitCommandRunsWithoutSyncAndSeesNullStdio) {
  // The command proves its stdio is /dev/null and that it inherited the
  // environment (TZ) but no other descriptors.
  // (dash applies a command's redirection in the shell itself, hence $(...).)
  std::string check = "s=$(readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2); echo \"$s\" > " +
                      path("stdio").string() + "; ls /proc/self/fd > " + path("fds").string() +
                      "; echo $TZ > " + path("env").string();
  pid_t m = start(
      {.script = "exit 0",
       .args = {"--exit-command", "/bin/sh", "--exit-command", "-c", "--exit-command", check}});
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  EXPECT_EQ(read_file(path("stdio")), "/dev/null\n/dev/null\n/dev/null\n");
  // 0, 1, 2, and the one ls opens to list the directory.
  EXPECT_EQ(lines_of(read_file(path("fds"))).size(), 4u) << read_file(path("fds"));
  EXPECT_EQ(read_file(path("env")), "UTC0\n");
}

TEST_F(MonitorTest, AttachClientGetsOutputAndTheExitCode) {
  pid_t m = start({.script = "read x; echo \"got $x\"; echo bye >&2; exit 3",
                   .stdin_pipe = true,
                   .args = {"--attach-socket", path("attach")}});
  AttachClient client(path("attach"));
  ASSERT_TRUE(client.connected());
  client.send_stdin("hi\n");
  EXPECT_EQ(client.receive_to_end(), "3");
  EXPECT_EQ(client.stdout_text, "got hi\n");
  EXPECT_EQ(client.stderr_text, "bye\n");
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  EXPECT_EQ(k8s_records(log(), "stdout", "+00:00"), std::vector<std::string>{"F got hi"});
  EXPECT_FALSE(fs::exists(path("attach")));
  expect_exit_file(3);
}

TEST_F(MonitorTest, AttachSocketIsPrivateAndReplacesAStaleOne) {
  { std::ofstream(path("attach")) << "stale"; }
  pid_t m =
      start({.script = "read x", .stdin_pipe = true, .args = {"--attach-socket", path("attach")}});
  AttachClient client(path("attach"));
  ASSERT_TRUE(client.connected());
  EXPECT_TRUE(fs::is_socket(path("attach")));
  EXPECT_EQ(fs::status(path("attach")).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  client.send_message("\2");  // close stdin: read fails, the script ends
  EXPECT_EQ(client.receive_to_end(), "1");
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
}

TEST_F(MonitorTest, CloseStdinFromAClientEndsTheInput) {
  pid_t m = start({.script = "cat; echo done",
                   .stdin_pipe = true,
                   .args = {"--attach-socket", path("attach")}});
  AttachClient client(path("attach"));
  ASSERT_TRUE(client.connected());
  client.send_stdin("abc");
  client.send_message("\2");
  EXPECT_EQ(client.receive_to_end(), "0");
  EXPECT_EQ(client.stdout_text, "abcdone\n");
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
}

TEST_F(MonitorTest, LargeInputIsPassedOnWhole) {
  // More than a pipe holds, so the monitor must wait for the container.
  pid_t m = start({.script = "sleep 0.2; wc -c",
                   .stdin_pipe = true,
                   .args = {"--attach-socket", path("attach")}});
  AttachClient client(path("attach"));
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 40; ++i) client.send_stdin(std::string(8192, 'x'));
  client.send_message("\2");
  EXPECT_EQ(client.receive_to_end(), "0");
  EXPECT_EQ(client.stdout_text, std::to_string(40 * 8192) + "\n");
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
}

TEST_F(MonitorTest, ClientThatHangsUpJustDetaches) {
  pid_t m = start({.script = "read x; echo \"got $x\"",
                   .stdin_pipe = true,
                   .args = {"--attach-socket", path("attach")}});
  {
    AttachClient first(path("attach"));
    ASSERT_TRUE(first.connected());
  }
  AttachClient second(path("attach"));
  ASSERT_TRUE(second.connected());
  second.send_stdin("again\n");
  EXPECT_EQ(second.receive_to_end(), "0");
  EXPECT_EQ(second.stdout_text, "got again\n");
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
}

TEST_F(MonitorTest, AttachSocketPathLongerThanSunPath) {
  fs::path deep = dir_ / std::string(60, 'd') / std::string(60, 'e');
  fs::create_directories(deep);
  fs::path socket_path = deep / "attach";
  ASSERT_GT(socket_path.string().size(), sizeof(sockaddr_un::sun_path));
  pid_t m = start({.script = "read x; echo \"got $x\"",
                   .stdin_pipe = true,
                   .args = {"--attach-socket", socket_path}});
  AttachClient client(socket_path);
  ASSERT_TRUE(client.connected());
  client.send_stdin("far\n");
  EXPECT_EQ(client.receive_to_end(), "0");
  EXPECT_EQ(client.stdout_text, "got far\n");
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  EXPECT_FALSE(fs::exists(socket_path));
}

TEST_F(MonitorTest, TtyCarriesInputResizeAndOutput) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t m = start(
      {.script = "read x; stty size; echo \"got $x\"; exit 5",
       .tty = true,
       .args = {"--attach-socket", path("attach"), "--forward-stdout-fd", std::to_string(out[1])}});
  close(out[1]);
  AttachClient client(path("attach"));
  ASSERT_TRUE(client.connected());
  client.send_resize(33, 77);
  client.send_stdin("hi\n");
  EXPECT_EQ(client.receive_to_end(), "5");
  // The tty echoes the input and turns \n into \r\n.
  EXPECT_NE(client.stdout_text.find("33 77\r\n"), std::string::npos) << client.stdout_text;
  EXPECT_NE(client.stdout_text.find("got hi\r\n"), std::string::npos) << client.stdout_text;
  EXPECT_EQ(read_until_eof(out[0]), client.stdout_text);
  close(out[0]);
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  std::vector<std::string> records = k8s_records(log(), "stdout", "+00:00");
  EXPECT_NE(std::find(records.begin(), records.end(), "F got hi\r"), records.end()) << log();
  EXPECT_TRUE(k8s_records(log(), "stderr", "+00:00").empty());
  expect_exit_file(5);
}

TEST_F(MonitorTest, ContainerThatLetsGoOfTheTtyKeepsRunning) {
  // Nothing has the tty's slave open any more, so the master reads EIO; the
  // monitor must keep the master open (closing it would hang up the
  // container's session: SIGHUP, exit 129) and still take input and resizes.
  pid_t m = start({.script = "exec </dev/null >/dev/null 2>&1; sleep 0.5; exit 4",
                   .tty = true,
                   .args = {"--attach-socket", path("attach")}});
  std::this_thread::sleep_for(200ms);
  AttachClient client(path("attach"));
  ASSERT_TRUE(client.connected());
  client.send_stdin("hello");
  client.send_resize(10, 10);
  EXPECT_EQ(client.receive_to_end(), "4");
  EXPECT_EQ(client.stdout_text, "");
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
  expect_exit_file(4);
}

// Runs the monitor binary directly with `args`; returns its exit status and
// stderr.
std::pair<int, std::string> run_directly(const std::vector<std::string>& args) {
  int err[2];
  EXPECT_EQ(pipe(err), 0);
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<std::string> all = {BURROW_MONITOR_PATH};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : all) argv.push_back(arg.data());
    argv.push_back(nullptr);
    dup2(err[1], 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(err[1]);
  std::string text = read_until_eof(err[0]);
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
}

TEST(MonitorCommandLineTest, BadOptionsExit125WithAMessage) {
  auto [status, message] = run_directly({"--pid", "1", "--bogus", "x"});
  EXPECT_EQ(status, 125);
  EXPECT_EQ(message, "burrow-monitor: unknown option --bogus\n");

  std::tie(status, message) = run_directly({"--exit-file", "/tmp/x"});
  EXPECT_EQ(status, 125);
  EXPECT_EQ(message, "burrow-monitor: --pid is required\n");
}

TEST(MonitorCommandLineTest, PidThatIsNotAChildExits125AndLeavesItAlone) {
  pid_t sleeper = fork();
  if (sleeper == 0) {
    execl("/bin/sleep", "sleep", "30", nullptr);
    _exit(127);
  }
  // The sleeper is our child, not the monitor's.
  auto [status, message] = run_directly(
      {"--pid", std::to_string(sleeper), "--exit-file", "/tmp/unused", "--log-driver", "none"});
  EXPECT_EQ(status, 125);
  EXPECT_NE(message.find("not a child of the monitor"), std::string::npos) << message;
  EXPECT_EQ(kill(sleeper, 0), 0);  // still alive
  kill(sleeper, SIGKILL);
  waitpid(sleeper, nullptr, 0);
}

TEST_F(MonitorTest, SetupFailureKillsTheContainerAndExits125) {
  // The log's directory does not exist.
  pid_t m = start({.script = "sleep 30", .args = {"--log-path", path("missing/log")}});
  EXPECT_EQ(wait_exit(m), 125);
  EXPECT_NE(monitor_stderr().find("opening the log"), std::string::npos) << monitor_stderr();
  EXPECT_FALSE(fs::exists(path("exit")));
}

// Reads "<field>: N kB" from /proc/PID/status.
long status_kb(pid_t pid, const std::string& field) {
  for (const std::string& line : lines_of(read_file("/proc/" + std::to_string(pid) + "/status"))) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

TEST_F(MonitorTest, ResidentMemoryStaysSmall) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t m = start(
      {.script = "read x; echo \"got $x\"; echo err >&2; read y",
       .stdin_pipe = true,
       .args = {"--attach-socket", path("attach"), "--forward-stdout-fd", std::to_string(out[1])}});
  close(out[1]);
  AttachClient client(path("attach"));
  ASSERT_TRUE(client.connected());
  // Every path of the loop has run once: log, forwarding, attach, stdin.
  client.send_stdin("x\n");
  ASSERT_TRUE(client.receive_until("got x\n"));
  long rss = status_kb(m, "VmRSS");
  long anon = status_kb(m, "RssAnon");
  long file = status_kb(m, "RssFile");
  std::printf("burrow-monitor VmRSS: %ld kB (RssAnon %ld kB, RssFile %ld kB)\n", rss, anon, file);
  RecordProperty("VmRSS_kB", std::to_string(rss));
  // conmon 2.1 measures 1.5-2.5 MB; the target is at most half of that.
  // Nearly all of it is the static binary's text, mapped from the page cache
  // and shared by every monitor; the monitor's own memory is RssAnon.
  EXPECT_GT(rss, 0);
  EXPECT_LT(rss, 1024);
  EXPECT_LT(anon, 256);
  client.send_message("\2");
  EXPECT_EQ(client.receive_to_end(), "1");
  read_until_eof(out[0]);
  close(out[0]);
  EXPECT_EQ(wait_exit(m), 0) << monitor_stderr();
}

}  // namespace

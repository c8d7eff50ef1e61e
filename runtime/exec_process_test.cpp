// exec_in_container/wait_exec against real running containers (label
// "integration"), as root and as an unprivileged user inside `unshare -Urm`
// with BURROW_TEST_ROOTLESS=1, like linux_container_test.cpp. The container's
// init is busybox `cat` reading a pipe the test holds, so it stays up until
// the test lets it go.
#include "runtime/exec_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "base/file_util.h"
#include "runtime/capabilities.h"
#include "runtime/linux_container.h"
#include "runtime/seccomp_bpf.h"
#include "runtime/seccomp_profile.h"
#include "runtime/spec_defaults.h"
#include "runtime/test_rootfs.h"

namespace burrow::runtime {
namespace {

using test_support::rootless_mode;

std::string ns_link(pid_t pid, const std::string& name) {
  std::string path = "/proc/" + std::to_string(pid) + "/ns/" + name;
  char target[128] = {};
  ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
  return n < 0 ? "<" + path + ": " + std::strerror(errno) + ">" : std::string(target, n);
}

struct Pipe {
  base::UniqueFd read, write;
  static Pipe make() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    return {base::UniqueFd(fds[0]), base::UniqueFd(fds[1])};
  }
};

struct ExecRun {
  Status started;
  pid_t pid = -1;
  int exit_code = -1;
  std::string output;
};

class ExecProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The test (never the library) looks at its own privileges.
    if (::geteuid() != 0) {
      GTEST_SKIP() << "needs root, or run under `unshare -Urm` with BURROW_TEST_ROOTLESS=1";
    }
    if (::access("/bin/busybox", X_OK) != 0) {
      GTEST_SKIP() << "needs /bin/busybox (Debian's busybox-static)";
    }
    auto dir = base::make_temp_dir("/tmp", "burrow-exec-process-test-");
    ASSERT_TRUE(dir) << dir.error().message;
    dir_ = *dir;
    rootfs_ = dir_ + "/rootfs";
    auto made =
        test_support::make_test_rootfs(rootfs_, {"sh", "cat", "env", "sleep", "touch", "true"});
    ASSERT_TRUE(made) << made.error().message;
  }

  void TearDown() override {
    container_ = ContainerProcess();  // killed and reaped before its rootfs goes
    if (!dir_.empty()) (void)base::remove_tree(dir_);
  }

  bool have_probe() const { return base::path_exists(rootfs_ + "/probe"); }

  Spec make_spec() const { return test_support::test_spec(rootfs_, {"cat"}); }

  // Creates and starts the container; its `cat` blocks on init_stdin_.
  void start(const Spec& spec) {
    init_stdin_ = Pipe::make();
    CreateOptions options;
    options.mknod_devices = !rootless_mode();
    options.stdin_fd = init_stdin_.read.get();
    auto process = create_container(spec, options);
    ASSERT_TRUE(process) << process.error().message;
    auto started = start_container(*process);
    ASSERT_TRUE(started) << started.error().message;
    container_ = std::move(*process);
    init_stdin_.read.reset();
  }

  // The container's process, with other args.
  ExecOptions exec_options(std::vector<std::string> args) const {
    ExecOptions options;
    options.init_pid = container_.pid();
    options.process = spec_.process;
    options.process.args = std::move(args);
    return options;
  }

  // exec_in_container, then wait_exec; stdout (and stderr) go to a file.
  ExecRun run(ExecOptions options) {
    ExecRun result;
    std::string out_path = dir_ + "/exec-output";
    base::UniqueFd out(::open(out_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    options.stdout_fd = out.get();
    options.stderr_fd = out.get();
    auto process = exec_in_container(options);
    if (!process) {
      result.started = tl::unexpected(process.error());
      return result;
    }
    result.pid = process->pid();
    auto code = wait_exec(*process);
    EXPECT_TRUE(code) << code.error().message;
    result.exit_code = code ? *code : -1;
    result.output = base::read_file(out_path).value_or("");
    return result;
  }

  ExecRun run_probe(ExecOptions options) {
    ExecRun result = run(std::move(options));
    EXPECT_TRUE(result.started) << result.started.error().message;
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return result;
  }

  static std::string fact(const std::string& output, const std::string& key) {
    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line))
      if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
    return "<missing>";
  }

  std::string dir_, rootfs_;
  Spec spec_;
  Pipe init_stdin_;
  ContainerProcess container_;
};

#define REQUIRE_PROBE()                                                    \
  do {                                                                     \
    if (!have_probe()) {                                                   \
      GTEST_SKIP() << "the static probe was not built (set BURROW_PROBE)"; \
    }                                                                      \
  } while (0)

TEST_F(ExecProcessTest, JoinsEveryNamespaceOfTheInit) {
  spec_ = make_spec();
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  pid_t init = container_.pid();
  ASSERT_NE(ns_link(init, "pid"), ns_link(::getpid(), "pid"));
  ASSERT_NE(ns_link(init, "mnt"), ns_link(::getpid(), "mnt"));

  std::string own_pid_for_children = ns_link(::getpid(), "pid_for_children");

  // A `cat` blocked on our pipe, so that its /proc entry can be read.
  Pipe exec_stdin = Pipe::make();
  ExecOptions options = exec_options({"cat"});
  options.stdin_fd = exec_stdin.read.get();
  auto process = exec_in_container(options);
  ASSERT_TRUE(process) << process.error().message;
  exec_stdin.read.reset();
  // Our own later children are still born in our pid namespace.
  EXPECT_EQ(ns_link(::getpid(), "pid_for_children"), own_pid_for_children);
  for (const char* ns : {"user", "ipc", "uts", "net", "cgroup", "pid", "mnt"}) {
    EXPECT_EQ(ns_link(process->pid(), ns), ns_link(init, ns)) << ns;
  }
  // Seen from the container it has a pid of its own: "NSpid: <ours> <theirs>".
  std::string status =
      base::read_file("/proc/" + std::to_string(process->pid()) + "/status").value_or("");
  std::string nspid = status.substr(status.find("NSpid:"));
  nspid = nspid.substr(0, nspid.find('\n'));
  std::istringstream words(nspid.substr(6));
  std::vector<std::string> ids{std::istream_iterator<std::string>(words), {}};
  ASSERT_GE(ids.size(), 2u) << nspid;
  EXPECT_EQ(ids.front(), std::to_string(process->pid()));
  EXPECT_NE(ids.back(), "1");
  EXPECT_NE(ids.back(), ids.front());

  // It is our child: wait_exec reaps it once its input ends.
  exec_stdin.write.reset();
  auto code = wait_exec(*process);
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 0);
  EXPECT_NE(::kill(process->pid(), 0), 0);
}

TEST_F(ExecProcessTest, SharedNamespacesAreLeftAlone) {
  // The host's uts namespace, which a rootless caller could not even join
  // (its owner is the initial user namespace).
  spec_ = make_spec();
  spec_.hostname.clear();
  spec_.linux.namespaces.erase(
      std::remove_if(spec_.linux.namespaces.begin(), spec_.linux.namespaces.end(),
                     [](const Namespace& ns) { return ns.type == "uts"; }),
      spec_.linux.namespaces.end());
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  Pipe exec_stdin = Pipe::make();
  ExecOptions options = exec_options({"cat"});
  options.stdin_fd = exec_stdin.read.get();
  auto process = exec_in_container(options);
  ASSERT_TRUE(process) << process.error().message;
  EXPECT_EQ(ns_link(process->pid(), "uts"), ns_link(::getpid(), "uts"));
  EXPECT_EQ(ns_link(process->pid(), "net"), ns_link(container_.pid(), "net"));
  EXPECT_EQ(ns_link(process->pid(), "mnt"), ns_link(container_.pid(), "mnt"));
  exec_stdin.write.reset();
  auto code = wait_exec(*process);
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 0);
}

TEST_F(ExecProcessTest, ProbeSeesTheContainer) {
  REQUIRE_PROBE();
  spec_ = make_spec();
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  ExecOptions options = exec_options({"/probe"});
  options.process.cwd = "/etc";
  options.process.user.umask = 027;
  ExecRun r = run_probe(options);
  EXPECT_EQ(fact(r.output, "hostname"), "burrow-test");
  EXPECT_EQ(fact(r.output, "cwd"), "/etc");
  EXPECT_NE(fact(r.output, "pid"), "1");
  EXPECT_NE(fact(r.output, "pid"), std::to_string(r.pid));
  EXPECT_EQ(fact(r.output, "uid"), "0");
  EXPECT_EQ(fact(r.output, "gid"), "0");
  EXPECT_EQ(fact(r.output, "umask"), "27");
  EXPECT_EQ(fact(r.output, "NoNewPrivs"), "0");
  EXPECT_EQ(fact(r.output, "Seccomp"), "0");
  auto plan = plan_capabilities(spec_.process.capabilities);
  ASSERT_TRUE(plan);
  char hex[32];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(plan->effective));
  EXPECT_EQ(fact(r.output, "CapEff"), hex);
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(plan->bounding));
  EXPECT_EQ(fact(r.output, "CapBnd"), hex);

  ExecRun marker = run(exec_options({"cat", "/etc/marker"}));
  ASSERT_TRUE(marker.started) << marker.started.error().message;
  EXPECT_EQ(marker.output, "image\n");
}

TEST_F(ExecProcessTest, EnvIsExactlyTheProcessEnv) {
  spec_ = make_spec();
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  ExecOptions options = exec_options({"env"});
  options.process.env = {"PATH=/bin", "GREETING=hello world"};
  ExecRun r = run(options);
  ASSERT_TRUE(r.started) << r.started.error().message;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "PATH=/bin\nGREETING=hello world\n");
}

TEST_F(ExecProcessTest, ExitCodeComesBack) {
  spec_ = make_spec();
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  ExecRun three = run(exec_options({"sh", "-c", "echo hi; exit 3"}));
  ASSERT_TRUE(three.started) << three.started.error().message;
  EXPECT_EQ(three.exit_code, 3);
  EXPECT_EQ(three.output, "hi\n");
  ExecRun killed = run(exec_options({"sh", "-c", "kill -KILL $$"}));
  ASSERT_TRUE(killed.started) << killed.started.error().message;
  EXPECT_EQ(killed.exit_code, 128 + SIGKILL);
}

TEST_F(ExecProcessTest, TerminalIsAPtyOfTheContainersDevpts) {
  spec_ = make_spec();
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  ExecOptions options = exec_options({"sh", "-c", "ls -l /proc/self/fd/; exit 4"});
  options.process.terminal = true;
  options.console_size = {27, 88};
  auto process = exec_in_container(options);
  ASSERT_TRUE(process) << process.error().message;
  base::UniqueFd master = process->take_console();
  ASSERT_TRUE(master.valid());
  winsize size{};
  ASSERT_EQ(::ioctl(master.get(), TIOCGWINSZ, &size), 0);
  EXPECT_EQ(size.ws_row, 27);
  EXPECT_EQ(size.ws_col, 88);
  std::string output;
  char buffer[4096];
  ssize_t n;
  // EIO once the process's side is closed.
  while ((n = ::read(master.get(), buffer, sizeof buffer)) > 0)
    output.append(buffer, static_cast<size_t>(n));
  auto code = wait_exec(*process);
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 4);
  EXPECT_NE(output.find("0 -> /dev/pts/0\r\n"), std::string::npos) << output;
}

TEST_F(ExecProcessTest, MissingCommandIs127) {
  spec_ = make_spec();
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  ExecRun r = run(exec_options({"no-such-command"}));
  ASSERT_FALSE(r.started);
  EXPECT_EQ(r.started.error().code, ENOENT);
  EXPECT_EQ(r.started.error().exit_status, 127);
  EXPECT_EQ(exec_error_exit_code(r.started.error().code), 127);
  EXPECT_EQ(r.started.error().message,
            "exec: executing no-such-command: No such file or directory");
}

TEST_F(ExecProcessTest, NonExecutableIs126) {
  spec_ = make_spec();
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  ExecRun r = run(exec_options({"/notexec"}));
  ASSERT_FALSE(r.started);
  EXPECT_EQ(r.started.error().code, EACCES);
  EXPECT_EQ(r.started.error().exit_status, 126);
}

TEST_F(ExecProcessTest, MissingCwdIsAnError) {
  spec_ = make_spec();
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  ExecOptions options = exec_options({"true"});
  options.process.cwd = "/no/such/dir";
  ExecRun r = run(options);
  ASSERT_FALSE(r.started);
  EXPECT_EQ(r.started.error().code, ENOENT);
  EXPECT_EQ(r.started.error().message, "exec: chdir to /no/such/dir: No such file or directory");
  // As `podman exec --workdir /missing` (Toolbx falls back on this code).
  EXPECT_EQ(r.started.error().exit_status, 127);
  // Not created, unlike the init's working directory.
  EXPECT_FALSE(base::path_exists(rootfs_ + "/no"));
}

TEST_F(ExecProcessTest, UserAndGroups) {
  REQUIRE_PROBE();
  if (rootless_mode()) {
    GTEST_SKIP() << "under `unshare -Urm` only uid 0 is mapped";
  }
  spec_ = make_spec();
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  ExecOptions options = exec_options({"/probe"});
  options.process.user = {1000, 1000, {2000, 3000}, 022};
  options.process.capabilities.effective.clear();
  options.process.capabilities.permitted.clear();
  ExecRun r = run_probe(options);
  EXPECT_EQ(fact(r.output, "uid"), "1000");
  EXPECT_EQ(fact(r.output, "gid"), "1000");
  EXPECT_EQ(fact(r.output, "groups"), "2000,3000");
  EXPECT_EQ(fact(r.output, "CapEff"), "0000000000000000");
  EXPECT_EQ(fact(r.output, "CapPrm"), "0000000000000000");
}

TEST_F(ExecProcessTest, ReducedCapabilities) {
  REQUIRE_PROBE();
  spec_ = make_spec();
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  ExecOptions options = exec_options({"/probe"});
  options.process.capabilities = {};
  options.process.capabilities.bounding = {"CAP_CHOWN", "CAP_KILL"};
  options.process.capabilities.permitted = {"CAP_CHOWN", "CAP_KILL"};
  options.process.capabilities.effective = {"CAP_KILL"};
  ExecRun r = run_probe(options);
  EXPECT_EQ(fact(r.output, "CapBnd"), "0000000000000021");
  // execve as uid 0 makes permitted = effective = the bounding set.
  EXPECT_EQ(fact(r.output, "CapPrm"), "0000000000000021");
  EXPECT_EQ(fact(r.output, "CapEff"), "0000000000000021");
  EXPECT_EQ(fact(r.output, "CapInh"), "0000000000000000");
  EXPECT_EQ(fact(r.output, "CapAmb"), "0000000000000000");
}

TEST_F(ExecProcessTest, RlimitsApplied) {
  REQUIRE_PROBE();
  spec_ = make_spec();
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  ExecOptions options = exec_options({"/probe"});
  options.process.rlimits = {{"RLIMIT_NOFILE", 512, 256}};
  ExecRun r = run_probe(options);
  EXPECT_EQ(fact(r.output, "nofile_soft"), "256");
  EXPECT_EQ(fact(r.output, "nofile_hard"), "512");
}

TEST_F(ExecProcessTest, SeccompAndNoNewPrivs) {
  REQUIRE_PROBE();
  spec_ = make_spec();
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  auto arch = native_seccomp_arch();
  ASSERT_TRUE(arch) << arch.error().message;
  auto kernel = running_kernel_version();
  ASSERT_TRUE(kernel) << kernel.error().message;
  auto seccomp = seccomp_for_container(default_seccomp_profile_json(),
                                       spec_.process.capabilities.bounding, *arch, *kernel);
  ASSERT_TRUE(seccomp) << seccomp.error().message;
  auto program = compile_seccomp(*seccomp);
  ASSERT_TRUE(program) << program.error().message;

  ExecOptions options = exec_options({"/probe"});
  options.seccomp = &*program;
  ExecRun filtered = run_probe(options);
  EXPECT_EQ(fact(filtered.output, "Seccomp"), "2");
  EXPECT_EQ(fact(filtered.output, "NoNewPrivs"), "0");
  options.process.no_new_privileges = true;
  ExecRun nnp = run_probe(options);
  EXPECT_EQ(fact(nnp.output, "Seccomp"), "2");
  EXPECT_EQ(fact(nnp.output, "NoNewPrivs"), "1");
}

TEST_F(ExecProcessTest, JoinsTheContainersUserNamespace) {
  REQUIRE_PROBE();
  spec_ = make_spec();
  spec_.linux.namespaces.push_back({"user", ""});
  // Maps onto uid 0 of the caller's namespace: valid as root and under unshare -Urm.
  spec_.linux.uid_mappings = {{0, 0, 1}};
  spec_.linux.gid_mappings = {{0, 0, 1}};
  // gid 5 (tty) is not mapped: devpts would refuse "gid=5".
  spec_.mounts.erase(std::remove_if(spec_.mounts.begin(), spec_.mounts.end(),
                                    [](const Mount& m) { return m.destination == "/dev/pts"; }),
                     spec_.mounts.end());
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  ASSERT_NE(ns_link(container_.pid(), "user"), ns_link(::getpid(), "user"));
  ExecRun r = run_probe(exec_options({"/probe"}));
  EXPECT_EQ(fact(r.output, "uid_map"), "0 0 1");
  EXPECT_EQ(fact(r.output, "uid"), "0");
  EXPECT_EQ(fact(r.output, "hostname"), "burrow-test");
}

TEST_F(ExecProcessTest, ForwardsSignalsWhileWaiting) {
  spec_ = make_spec();
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  ExecOptions options =
      exec_options({"sh", "-c", "trap 'exit 42' TERM; touch /ready; while :; do sleep 1; done"});
  auto process = exec_in_container(options);
  ASSERT_TRUE(process) << process.error().message;
  for (int i = 0; i < 1000 && !base::path_exists(rootfs_ + "/ready"); ++i) ::usleep(10000);
  ASSERT_TRUE(base::path_exists(rootfs_ + "/ready"));
  sigset_t term, previous;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(::sigprocmask(SIG_BLOCK, &term, &previous), 0);
  ASSERT_EQ(::raise(SIGTERM), 0);  // pending until wait_exec reads it
  auto code = wait_exec(*process);
  ::sigprocmask(SIG_SETMASK, &previous, nullptr);
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 42);
}

TEST_F(ExecProcessTest, DroppedExecIsKilledAndReaped) {
  spec_ = make_spec();
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  Pipe exec_stdin = Pipe::make();
  ExecOptions options = exec_options({"cat"});
  options.stdin_fd = exec_stdin.read.get();
  pid_t pid;
  {
    auto process = exec_in_container(options);
    ASSERT_TRUE(process) << process.error().message;
    pid = process->pid();
    ASSERT_EQ(::kill(pid, 0), 0);
  }
  EXPECT_NE(::kill(pid, 0), 0);
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);  // already reaped
  EXPECT_EQ(::kill(container_.pid(), 0), 0);        // the container lives on
}

TEST_F(ExecProcessTest, ExitedInitIsNotRunning) {
  spec_ = make_spec();
  ASSERT_NO_FATAL_FAILURE(start(spec_));
  pid_t init = container_.pid();
  // Exited but not reaped: a zombie has a /proc entry and no namespaces.
  init_stdin_.write.reset();
  struct pollfd exited = {container_.pidfd(), POLLIN, 0};
  ASSERT_EQ(::poll(&exited, 1, 10000), 1);
  ExecRun zombie = run(exec_options({"true"}));
  ASSERT_FALSE(zombie.started);
  EXPECT_EQ(zombie.started.error().code, ESRCH);
  EXPECT_NE(zombie.started.error().message.find("exec: container is not running"),
            std::string::npos)
      << zombie.started.error().message;

  auto code = wait_container(container_);
  ASSERT_TRUE(code) << code.error().message;
  ExecRun gone = run(exec_options({"true"}));
  ASSERT_FALSE(gone.started);
  EXPECT_EQ(gone.started.error().code, ESRCH);
  EXPECT_EQ(gone.started.error().message, "exec: container is not running (its init, pid " +
                                              std::to_string(init) + ", has exited)");
}

// Checks made before any process is created; they need no privileges.
TEST(ExecInContainer, RejectsBadOptions) {
  ExecOptions options;
  options.process.args = {"true"};
  auto no_pid = exec_in_container(options);
  ASSERT_FALSE(no_pid);
  EXPECT_EQ(no_pid.error().code, EINVAL);

  options.init_pid = ::getpid();
  options.process.args.clear();
  auto no_args = exec_in_container(options);
  ASSERT_FALSE(no_args);
  EXPECT_EQ(no_args.error().message, "exec: process.args is empty");

  options.process.args = {"true"};
  options.process.cwd = "relative";
  auto relative = exec_in_container(options);
  ASSERT_FALSE(relative);
  EXPECT_EQ(relative.error().code, EINVAL);

  options.process.cwd = "/";
  options.process.rlimits = {{"RLIMIT_BOGUS", 1, 1}};
  auto rlimit = exec_in_container(options);
  ASSERT_FALSE(rlimit);
  EXPECT_EQ(rlimit.error().code, EINVAL);
}

TEST(ExecInContainer, ReapedPidIsNotRunning) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  ExecOptions options;
  options.init_pid = child;
  options.process.args = {"true"};
  auto result = exec_in_container(options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ESRCH);
}

TEST(ExecInContainer, NothingToWaitFor) {
  ExecProcess none;
  auto code = wait_exec(none);
  ASSERT_FALSE(code);
  EXPECT_EQ(code.error().code, ECHILD);
}

}  // namespace
}  // namespace burrow::runtime

// Runs real containers through create/start/wait (label "integration").
//
// As root:       ./runtime_exec_test
// Rootless:      su tester -c 'BURROW_TEST_ROOTLESS=1 unshare -Urm ./runtime_exec_test'
//                (the test, not the library, decides to bind device nodes)
// The static probe comes from BURROW_PROBE (env) or the build (BURROW_PROBE_PATH).
#include "runtime/linux_container.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/file_util.h"
#include "runtime/capabilities.h"
#include "runtime/seccomp_bpf.h"
#include "runtime/seccomp_profile.h"
#include "runtime/spec_defaults.h"
#include "runtime/test_rootfs.h"

namespace burrow::runtime {
namespace {

using test_support::rootless_mode;

struct RunResult {
  Status created;
  Status started;
  int exit_code = -1;
  std::string output;
};

class ExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The test (never the library) looks at its own privileges.
    if (::geteuid() != 0) {
      GTEST_SKIP() << "needs root, or run under `unshare -Urm` with BURROW_TEST_ROOTLESS=1";
    }
    if (::access("/bin/busybox", X_OK) != 0) {
      GTEST_SKIP() << "needs /bin/busybox (Debian's busybox-static)";
    }
    auto dir = base::make_temp_dir("/tmp", "burrow-exec-test-");
    ASSERT_TRUE(dir) << dir.error().message;
    dir_ = *dir;
    rootfs_ = dir_ + "/rootfs";
    auto made = test_support::make_test_rootfs(
        rootfs_, {"sh", "true", "false", "echo", "cat", "sleep", "touch", "ls"});
    ASSERT_TRUE(made) << made.error().message;
  }

  void TearDown() override {
    if (!dir_.empty()) (void)base::remove_tree(dir_);
  }

  bool have_probe() const { return base::path_exists(rootfs_ + "/probe"); }

  Spec make_spec(std::vector<std::string> args) const {
    return test_support::test_spec(rootfs_, std::move(args));
  }

  RunResult run(const Spec& spec, const SeccompProgram* seccomp = nullptr) {
    RunResult result;
    std::string out_path = dir_ + "/stdout";
    base::UniqueFd out(::open(out_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    CreateOptions options;
    options.seccomp = seccomp;
    options.mknod_devices = !rootless_mode();
    options.stdout_fd = out.get();
    auto process = create_container(spec, options);
    if (!process) {
      result.created = tl::unexpected(process.error());
      return result;
    }
    result.started = start_container(*process);
    auto code = wait_container(*process);
    result.exit_code = code ? *code : -1;
    result.output = base::read_file(out_path).value_or("");
    return result;
  }

  RunResult run_probe(Spec spec, const SeccompProgram* seccomp = nullptr) {
    RunResult result = run(spec, seccomp);
    EXPECT_TRUE(result.created) << result.created.error().message;
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

  // The "mount=" line for a mount point, or empty.
  static std::string mount_line(const std::string& output, const std::string& target) {
    std::istringstream lines(output);
    std::string line, found;
    while (std::getline(lines, line))
      if (line.rfind("mount=" + target + " ", 0) == 0) found = line;
    return found;
  }

  std::string dir_, rootfs_;
};

#define REQUIRE_PROBE()                                                    \
  do {                                                                     \
    if (!have_probe()) {                                                   \
      GTEST_SKIP() << "the static probe was not built (set BURROW_PROBE)"; \
    }                                                                      \
  } while (0)

TEST_F(ExecTest, ExitCodes) {
  RunResult ok = run(make_spec({"true"}));
  ASSERT_TRUE(ok.created) << ok.created.error().message;
  EXPECT_TRUE(ok.started);
  EXPECT_EQ(ok.exit_code, 0);
  RunResult three = run(make_spec({"sh", "-c", "echo hi; exit 3"}));
  ASSERT_TRUE(three.created) << three.created.error().message;
  EXPECT_EQ(three.exit_code, 3);
  EXPECT_EQ(three.output, "hi\n");
}

TEST_F(ExecTest, MissingCommandIs127) {
  RunResult r = run(make_spec({"no-such-command"}));
  ASSERT_TRUE(r.created) << r.created.error().message;
  ASSERT_FALSE(r.started);
  EXPECT_EQ(r.started.error().code, ENOENT);
  EXPECT_NE(r.started.error().message.find("no-such-command"), std::string::npos);
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(exec_error_exit_code(r.started.error().code), 127);
}

TEST_F(ExecTest, NonExecutableIs126) {
  RunResult r = run(make_spec({"/notexec"}));
  ASSERT_TRUE(r.created) << r.created.error().message;
  ASSERT_FALSE(r.started);
  EXPECT_EQ(r.started.error().code, EACCES);
  EXPECT_EQ(r.exit_code, 126);
}

TEST_F(ExecTest, ProbeSeesItsContainer) {
  REQUIRE_PROBE();
  Spec spec = make_spec({"/probe"});
  spec.process.cwd = "/work/dir";  // created when missing, as Podman does
  RunResult r = run_probe(spec);
  if (std::getenv("BURROW_TEST_VERBOSE")) std::cout << r.output;
  EXPECT_EQ(fact(r.output, "pid"), "1");
  EXPECT_EQ(fact(r.output, "uid"), "0");
  EXPECT_EQ(fact(r.output, "hostname"), "burrow-test");
  EXPECT_EQ(fact(r.output, "cwd"), "/work/dir");
  EXPECT_EQ(fact(r.output, "root_readonly"), "0");
  EXPECT_EQ(fact(r.output, "Seccomp"), "0");
  EXPECT_EQ(fact(r.output, "NoNewPrivs"), "0");
  EXPECT_EQ(fact(r.output, "umask"), "22");
  struct rlimit host;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &host), 0);
  uint64_t expected = std::min<uint64_t>(1048576, host.rlim_max);
  EXPECT_EQ(fact(r.output, "nofile_hard"), std::to_string(expected));
  EXPECT_NE(mount_line(r.output, "/proc"), "");
  EXPECT_NE(mount_line(r.output, "/dev/pts"), "");
  EXPECT_NE(mount_line(r.output, "/dev/shm"), "");
  EXPECT_NE(mount_line(r.output, "/dev/mqueue"), "");
  // Masked paths (those this kernel has; /proc/kcore needs CONFIG_PROC_KCORE)
  // and read-only paths.
  for (const std::string& path : default_masked_paths()) {
    if (base::path_exists(path)) {
      EXPECT_NE(mount_line(r.output, path), "") << path;
    }
  }
  EXPECT_NE(mount_line(r.output, "/proc/sys").find("ro"), std::string::npos)
      << mount_line(r.output, "/proc/sys");
  // The default capability set, nothing more.
  auto plan = plan_capabilities(spec.process.capabilities);
  ASSERT_TRUE(plan);
  char hex[32];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(plan->effective));
  EXPECT_EQ(fact(r.output, "CapEff"), hex);
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(plan->bounding));
  EXPECT_EQ(fact(r.output, "CapBnd"), hex);
  EXPECT_EQ(fact(r.output, "CapAmb"), "0000000000000000");
}

TEST_F(ExecTest, MaskedPathsReadEmpty) {
  // /proc/kcore is only there with CONFIG_PROC_KCORE; /proc/keys always is.
  std::string path = base::path_exists("/proc/kcore") ? "/proc/kcore" : "/proc/keys";
  RunResult r = run(make_spec({"sh", "-c", "busybox cat " + path + " | busybox wc -c"}));
  ASSERT_TRUE(r.created) << r.created.error().message;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "0\n") << path;
}

TEST_F(ExecTest, ReadonlyRoot) {
  REQUIRE_PROBE();
  Spec spec = make_spec({"/probe", "write", "/newfile"});
  spec.root.readonly = true;
  RunResult r = run(spec);
  ASSERT_TRUE(r.created) << r.created.error().message;
  EXPECT_EQ(fact(r.output, "write"), "EROFS");
  spec.process.args = {"/probe"};
  RunResult facts = run_probe(spec);
  EXPECT_EQ(fact(facts.output, "root_readonly"), "1");
}

TEST_F(ExecTest, BindMounts) {
  REQUIRE_PROBE();
  ASSERT_TRUE(base::make_dirs(dir_ + "/shared"));
  Spec spec = make_spec({"/probe", "write", "/data/ro/file"});
  spec.mounts.push_back({"/data/ro", "bind", dir_ + "/shared", {"rbind", "ro", "nosuid"}});
  spec.mounts.push_back({"/data/rw", "bind", dir_ + "/shared", {"bind"}});
  RunResult ro = run(spec);
  ASSERT_TRUE(ro.created) << ro.created.error().message;
  EXPECT_EQ(fact(ro.output, "write"), "EROFS");
  spec.process.args = {"/probe", "write", "/data/rw/file"};
  RunResult rw = run(spec);
  ASSERT_TRUE(rw.created) << rw.created.error().message;
  EXPECT_EQ(fact(rw.output, "write"), "ok");
  EXPECT_TRUE(base::path_exists(dir_ + "/shared/file"));
}

TEST_F(ExecTest, Capabilities) {
  REQUIRE_PROBE();
  Spec spec = make_spec({"/probe"});
  spec.process.capabilities = {};
  spec.process.capabilities.bounding = {"CAP_CHOWN", "CAP_KILL"};
  spec.process.capabilities.permitted = {"CAP_CHOWN", "CAP_KILL"};
  spec.process.capabilities.effective = {"CAP_KILL"};
  RunResult r = run_probe(spec);
  EXPECT_EQ(fact(r.output, "CapBnd"), "0000000000000021");
  // execve as uid 0 makes permitted = effective = the bounding set (see
  // capabilities(7), "Capabilities and execution of programs by root").
  EXPECT_EQ(fact(r.output, "CapPrm"), "0000000000000021");
  EXPECT_EQ(fact(r.output, "CapEff"), "0000000000000021");
  EXPECT_EQ(fact(r.output, "CapInh"), "0000000000000000");
}

TEST_F(ExecTest, NonRootUser) {
  REQUIRE_PROBE();
  if (rootless_mode()) {
    GTEST_SKIP() << "under `unshare -Urm` only uid 0 is mapped";
  }
  Spec spec = make_spec({"/probe"});
  spec.process.user = {1000, 1000, {2000, 3000}, 027};
  spec.process.capabilities.effective.clear();
  spec.process.capabilities.permitted.clear();
  RunResult r = run_probe(spec);
  EXPECT_EQ(fact(r.output, "uid"), "1000");
  EXPECT_EQ(fact(r.output, "gid"), "1000");
  EXPECT_EQ(fact(r.output, "groups"), "2000,3000");
  EXPECT_EQ(fact(r.output, "CapEff"), "0000000000000000");
  EXPECT_EQ(fact(r.output, "umask"), "27");
}

TEST_F(ExecTest, SeccompFilterInstalled) {
  REQUIRE_PROBE();
  Spec spec = make_spec({"/probe"});
  auto arch = native_seccomp_arch();
  ASSERT_TRUE(arch) << arch.error().message;
  auto kernel = running_kernel_version();
  ASSERT_TRUE(kernel) << kernel.error().message;
  auto seccomp = seccomp_for_container(default_seccomp_profile_json(),
                                       spec.process.capabilities.bounding, *arch, *kernel);
  ASSERT_TRUE(seccomp) << seccomp.error().message;
  auto program = compile_seccomp(*seccomp);
  ASSERT_TRUE(program) << program.error().message;
  RunResult r = run_probe(spec, &*program);
  EXPECT_EQ(fact(r.output, "Seccomp"), "2");
  spec.process.no_new_privileges = true;
  RunResult nnp = run_probe(spec, &*program);
  EXPECT_EQ(fact(nnp.output, "Seccomp"), "2");
  EXPECT_EQ(fact(nnp.output, "NoNewPrivs"), "1");
}

TEST_F(ExecTest, ProcSymlinkToEtcStaysInside) {
  REQUIRE_PROBE();
  ASSERT_EQ(::symlink("/etc", (rootfs_ + "/proc").c_str()), 0);
  RunResult r = run_probe(make_spec({"/probe"}));
  // proc landed on the container's own /etc, never on the host's.
  EXPECT_NE(mount_line(r.output, "/etc").find(" proc "), std::string::npos) << r.output;
  std::ifstream marker(rootfs_ + "/etc/marker");
  std::string content;
  std::getline(marker, content);
  EXPECT_EQ(content, "image");
  EXPECT_TRUE(base::path_exists("/etc/hostname") || base::path_exists("/etc/passwd"));
}

TEST_F(ExecTest, ProcSymlinkToRootIsRefused) {
  ASSERT_EQ(::symlink("../../..", (rootfs_ + "/proc").c_str()), 0);
  RunResult r = run(make_spec({"true"}));
  ASSERT_FALSE(r.created);
  EXPECT_NE(r.created.error().message.find("resolves to the container's root"), std::string::npos)
      << r.created.error().message;
}

TEST_F(ExecTest, SetupErrorsComeBackWithContext) {
  Spec spec = make_spec({"true"});
  spec.mounts.push_back({"/data", "bind", dir_ + "/does-not-exist", {"bind"}});
  RunResult r = run(spec);
  ASSERT_FALSE(r.created);
  EXPECT_EQ(r.created.error().code, ENOENT);
  EXPECT_EQ(r.created.error().message.rfind("container init: opening bind source", 0), 0u)
      << r.created.error().message;
}

TEST_F(ExecTest, UserNamespaceFromSpec) {
  REQUIRE_PROBE();
  Spec spec = make_spec({"/probe"});
  spec.linux.namespaces.push_back({"user", ""});
  // Maps onto uid 0 of the caller's namespace: valid as root and under unshare -Urm.
  spec.linux.uid_mappings = {{0, 0, 1}};
  spec.linux.gid_mappings = {{0, 0, 1}};
  // gid 5 (tty) is not mapped: devpts would refuse "gid=5".
  spec.mounts.erase(std::remove_if(spec.mounts.begin(), spec.mounts.end(),
                                   [](const Mount& m) { return m.destination == "/dev/pts"; }),
                    spec.mounts.end());
  // Device nodes are bound from the host even when mknod_devices is true:
  // mknod is never allowed in a non-initial user namespace.
  RunResult r = run(spec);
  ASSERT_TRUE(r.created) << r.created.error().message;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(fact(r.output, "uid_map"), "0 0 1");
}

TEST_F(ExecTest, ForwardsSignalsWhileWaiting) {
  Spec spec =
      make_spec({"sh", "-c", "trap 'exit 42' TERM; touch /ready; while :; do sleep 1; done"});
  CreateOptions options;
  options.mknod_devices = !rootless_mode();
  auto process = create_container(spec, options);
  ASSERT_TRUE(process) << process.error().message;
  ASSERT_TRUE(start_container(*process));
  // Wait until the trap is installed: pid 1 ignores signals it has no handler for.
  while (!base::path_exists(rootfs_ + "/ready")) ::usleep(10000);
  sigset_t term, previous;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(::sigprocmask(SIG_BLOCK, &term, &previous), 0);
  ASSERT_EQ(::raise(SIGTERM), 0);  // pending until wait_container reads it
  auto code = wait_container(*process);
  ::sigprocmask(SIG_SETMASK, &previous, nullptr);
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 42);
}

TEST_F(ExecTest, TerminalIsAPtyOfTheContainersOwnDevpts) {
  Spec spec = make_spec({"sh", "-c", "ls -l /proc/self/fd/; echo done"});
  spec.process.terminal = true;
  CreateOptions options;
  options.mknod_devices = !rootless_mode();
  options.console_size = {33, 101};
  auto process = create_container(spec, options);
  ASSERT_TRUE(process) << process.error().message;
  base::UniqueFd master = process->take_console();
  ASSERT_TRUE(master.valid());
  winsize size{};
  ASSERT_EQ(::ioctl(master.get(), TIOCGWINSZ, &size), 0);
  EXPECT_EQ(size.ws_row, 33);
  EXPECT_EQ(size.ws_col, 101);
  ASSERT_TRUE(start_container(*process));
  auto code = wait_container(*process);
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 0);
  std::string output;
  char buffer[4096];
  ssize_t n;
  // EIO once the container's side is closed.
  while ((n = ::read(master.get(), buffer, sizeof buffer)) > 0)
    output.append(buffer, static_cast<size_t>(n));
  // A fresh devpts instance: its first pty is number 0, and the pty's
  // output processing ends lines with "\r\n".
  EXPECT_NE(output.find("0 -> /dev/pts/0\r\n"), std::string::npos) << output;
  EXPECT_NE(output.find("2 -> /dev/pts/0"), std::string::npos) << output;
  EXPECT_NE(output.find("done\r\n"), std::string::npos) << output;
}

TEST_F(ExecTest, DroppedUnstartedContainerIsReaped) {
  CreateOptions options;
  options.mknod_devices = !rootless_mode();
  pid_t pid;
  {
    auto process = create_container(make_spec({"true"}), options);
    ASSERT_TRUE(process) << process.error().message;
    pid = process->pid();
  }
  EXPECT_NE(::kill(pid, 0), 0);
}

}  // namespace
}  // namespace burrow::runtime

#include "runtime/seccomp_bpf.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "base/file_util.h"
#include "runtime/capabilities.h"
#include "runtime/seccomp_profile.h"
#include "runtime/test_child.h"

namespace burrow::runtime {
namespace {

using testing::run_in_child;

// "" when `result` is -1 with `expected_errno`, otherwise a description.
std::string expect_errno(std::string_view what, long result, int expected_errno) {
  if (result == -1 && errno == expected_errno) return "";
  return fmt::format("{}: got {} ({}), want errno {}\n", what, result,
                     result == -1 ? std::strerror(errno) : "success", expected_errno);
}

std::string expect_success(std::string_view what, long result) {
  if (result != -1) return "";
  return fmt::format("{}: failed with {}\n", what, std::strerror(errno));
}

SeccompProgram compile_default(const std::vector<std::string>& caps) {
  auto arch = native_seccomp_arch();
  EXPECT_TRUE(arch) << arch.error().message;
  auto seccomp = seccomp_for_container(default_seccomp_profile_json(), caps,
                                       arch.value_or("SCMP_ARCH_X86_64"), kernel_version(6, 1, 0));
  EXPECT_TRUE(seccomp) << seccomp.error().message;
  auto program = compile_seccomp(seccomp.value_or(Seccomp{}));
  EXPECT_TRUE(program) << program.error().message;
  return program.value_or(SeccompProgram{});
}

std::string install_with_no_new_privs(const SeccompProgram& program) {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return "PR_SET_NO_NEW_PRIVS failed";
  if (int error = install_seccomp_program(program, true))
    return fmt::format("install_seccomp_program: {}", std::strerror(error));
  return "";
}

std::string fork_and_wait() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(7);
  if (pid < 0) return fmt::format("fork: {}\n", std::strerror(errno));
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 7 ? "" : "fork: child did not exit 7\n";
}

std::string start_thread() {
  // glibc tries clone3 first and must fall back to clone on ENOSYS.
  bool ran = false;
  std::thread thread([&ran] { ran = true; });
  thread.join();
  return ran ? "" : "thread did not run\n";
}

std::string check_default_policy() {
  std::string failures;
  failures += expect_errno("kexec_load", ::syscall(SYS_kexec_load, 0, 0, 0, 0), EPERM);
  failures += expect_errno(
      "keyctl", ::syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0), EPERM);
  failures += expect_errno("clone3", ::syscall(SYS_clone3, nullptr, 0), ENOSYS);
  failures += expect_errno("io_uring_setup", ::syscall(SYS_io_uring_setup, 1, nullptr), ENOSYS);
  failures += expect_errno("socket(AF_VSOCK)", ::socket(AF_VSOCK, SOCK_STREAM, 0), EPERM);
  failures += expect_errno("unshare(CLONE_NEWUSER)", ::unshare(CLONE_NEWUSER), EPERM);
  failures +=
      expect_errno("personality(ADDR_NO_RANDOMIZE)", ::personality(ADDR_NO_RANDOMIZE), EPERM);
  // Were mount allowed, the kernel would answer ENOENT for the missing mount
  // point before checking privileges; EPERM means the filter refused it.
  failures +=
      expect_errno("mount", ::mount("none", "/nonexistent/burrow", "tmpfs", 0, nullptr), EPERM);
  failures += expect_success("getpid", ::syscall(SYS_getpid));
  failures += expect_success("unshare(CLONE_FILES)", ::unshare(CLONE_FILES));
  failures += expect_success("personality(query)", ::personality(0xffffffff));
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  failures += expect_success("socket(AF_UNIX)", sock);
  if (sock >= 0) ::close(sock);
  auto status = base::read_file("/proc/self/status");
  if (!status || status->find("Seccomp:\t2") == std::string::npos)
    failures += "/proc/self/status does not show filter mode\n";
  failures += fork_and_wait();
  failures += start_thread();
  return failures;
}

TEST(SeccompBpfTest, DefaultProfileCompiles) {
  SeccompProgram program = compile_default(default_capabilities());
  EXPECT_FALSE(program.filter.empty());
  EXPECT_LE(program.filter.size(), size_t{BPF_MAXINSNS});
  EXPECT_FALSE(program.log);
}

TEST(SeccompBpfTest, DefaultProfileCompilesWithEveryCapability) {
  // Every includes.caps rule at once, duplicates (ptrace) included.
  SeccompProgram program = compile_default(all_capabilities());
  EXPECT_FALSE(program.filter.empty());
}

TEST(SeccompBpfTest, DefaultProfileCompilesForOtherArchitectures) {
  // libseccomp builds filters for foreign architectures of the native byte
  // order (it refuses to mix endianness), so the profile's names and argument
  // rules are checked for these too.
  for (const char* arch : {"SCMP_ARCH_AARCH64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64"}) {
    auto seccomp = seccomp_for_container(default_seccomp_profile_json(), default_capabilities(),
                                         arch, kernel_version(6, 1, 0));
    ASSERT_TRUE(seccomp) << arch << ": " << seccomp.error().message;
    auto program = compile_seccomp(*seccomp);
    ASSERT_TRUE(program) << arch << ": " << program.error().message;
    EXPECT_FALSE(program->filter.empty()) << arch;
  }
}

TEST(SeccompBpfTest, DefaultProgramDeniesAndAllowsInAChild) {
  SeccompProgram program = compile_default(default_capabilities());
  ASSERT_FALSE(program.filter.empty());
  EXPECT_EQ(run_in_child([&] {
              std::string failure = install_with_no_new_privs(program);
              return failure.empty() ? check_default_policy() : failure;
            }),
            "");
}

TEST(SeccompBpfTest, MissingMountPointShowsMountIsAllowedWithSysAdmin) {
  SeccompProgram program = compile_default({"CAP_SYS_ADMIN"});
  ASSERT_FALSE(program.filter.empty());
  EXPECT_EQ(run_in_child([&] {
              std::string failure = install_with_no_new_privs(program);
              if (!failure.empty()) return failure;
              // The kernel looks the path up before it checks privileges.
              return expect_errno(
                  "mount", ::mount("none", "/nonexistent/burrow", "tmpfs", 0, nullptr), ENOENT);
            }),
            "");
}

TEST(SeccompBpfTest, ArgumentRulesAndErrnoValues) {
  Seccomp seccomp;
  seccomp.default_action = "SCMP_ACT_ALLOW";
  // Two comparisons on one argument become alternatives.
  seccomp.syscalls.push_back({{"getpgid"},
                              "SCMP_ACT_ERRNO",
                              ENOMSG,
                              {{0, 11111, 0, "SCMP_CMP_EQ"}, {0, 22222, 0, "SCMP_CMP_EQ"}}});
  seccomp.syscalls.push_back(
      {{"dup3"}, "SCMP_ACT_ERRNO", EXDEV, {{2, O_CLOEXEC, O_CLOEXEC, "SCMP_CMP_MASKED_EQ"}}});
  auto program = compile_seccomp(seccomp);
  ASSERT_TRUE(program) << program.error().message;
  EXPECT_EQ(run_in_child([&] {
              std::string failures = install_with_no_new_privs(*program);
              if (!failures.empty()) return failures;
              failures += expect_errno("getpgid(11111)", ::getpgid(11111), ENOMSG);
              failures += expect_errno("getpgid(22222)", ::getpgid(22222), ENOMSG);
              failures += expect_success("getpgid(0)", ::getpgid(0));
              failures += expect_errno("dup3(O_CLOEXEC)", ::dup3(0, 100, O_CLOEXEC), EXDEV);
              failures += expect_success("dup3(0)", ::dup3(0, 100, 0));
              return failures;
            }),
            "");
}

TEST(SeccompBpfTest, InstallWithoutNoNewPrivsNeedsSysAdmin) {
  SeccompProgram program = compile_default(default_capabilities());
  ASSERT_FALSE(program.filter.empty());
  bool admin = has_effective_capability(CAP_SYS_ADMIN);
  EXPECT_EQ(run_in_child([&]() -> std::string {
              int error = install_seccomp_program(program, false);
              int want = admin ? 0 : EACCES;
              if (error == want) return "";
              return fmt::format("install: got {}, want {}", error, want);
            }),
            "");
}

TEST(SeccompBpfTest, EmptyProgramIsRefused) {
  EXPECT_EQ(install_seccomp_program(SeccompProgram{}, true), EINVAL);
}

TEST(SeccompBpfTest, UnknownSyscallNamesAreSkipped) {
  Seccomp seccomp;
  seccomp.default_action = "SCMP_ACT_ERRNO";
  seccomp.syscalls.push_back({{"no_such_syscall_burrow", "read"}, "SCMP_ACT_ALLOW", {}, {}});
  auto program = compile_seccomp(seccomp);
  ASSERT_TRUE(program) << program.error().message;
  EXPECT_FALSE(program->filter.empty());
}

TEST(SeccompBpfTest, BadActionIsAnError) {
  Seccomp seccomp;
  seccomp.default_action = "SCMP_ACT_ERRNO";
  seccomp.syscalls.push_back({{"read"}, "SCMP_ACT_EXPLODE", {}, {}});
  auto program = compile_seccomp(seccomp);
  ASSERT_FALSE(program);
  EXPECT_EQ(program.error().message, "seccomp: unknown or unsupported action \"SCMP_ACT_EXPLODE\"");

  seccomp.default_action = "SCMP_ACT_NOTIFY";
  seccomp.syscalls.clear();
  EXPECT_FALSE(compile_seccomp(seccomp));
}

TEST(SeccompBpfTest, BadOperatorArchOrFlagIsAnError) {
  Seccomp bad_op;
  bad_op.default_action = "SCMP_ACT_ALLOW";
  bad_op.syscalls.push_back({{"read"}, "SCMP_ACT_ERRNO", {}, {{0, 1, 0, "SCMP_CMP_ABOUT"}}});
  ASSERT_FALSE(compile_seccomp(bad_op));
  EXPECT_EQ(compile_seccomp(bad_op).error().message,
            "seccomp: unknown operator \"SCMP_CMP_ABOUT\"");

  Seccomp bad_arch;
  bad_arch.default_action = "SCMP_ACT_ALLOW";
  bad_arch.architectures = {"SCMP_ARCH_PDP11"};
  EXPECT_FALSE(compile_seccomp(bad_arch));
  // An architecture of the other byte order than the host's.
  std::string foreign =
      __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "SCMP_ARCH_S390X" : "SCMP_ARCH_X86_64";
  bad_arch.architectures = {foreign};
  ASSERT_FALSE(compile_seccomp(bad_arch));
  EXPECT_EQ(
      compile_seccomp(bad_arch).error().message,
      fmt::format("seccomp: architecture {} has a byte order other than this host's", foreign));

  Seccomp bad_flag;
  bad_flag.default_action = "SCMP_ACT_ALLOW";
  bad_flag.flags = {"SECCOMP_FILTER_FLAG_NEW_LISTENER"};
  EXPECT_FALSE(compile_seccomp(bad_flag));
}

TEST(SeccompBpfTest, FlagsReachTheProgram) {
  Seccomp seccomp;
  seccomp.default_action = "SCMP_ACT_ALLOW";
  seccomp.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                   "SECCOMP_FILTER_FLAG_TSYNC"};
  seccomp.syscalls.push_back({{"getpgid"}, "SCMP_ACT_LOG", {}, {}});
  auto program = compile_seccomp(seccomp);
  ASSERT_TRUE(program) << program.error().message;
  EXPECT_TRUE(program->log);
  EXPECT_TRUE(program->spec_allow);
}

TEST(SeccompBpfTest, EveryActionCompiles) {
  for (const char* action :
       {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
        "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_TRACE", "SCMP_ACT_LOG"}) {
    Seccomp seccomp;
    seccomp.default_action = "SCMP_ACT_ERRNO";
    seccomp.default_errno_ret = ENOSYS;
    seccomp.syscalls.push_back({{"getpgid"}, action, {}, {}});
    auto program = compile_seccomp(seccomp);
    EXPECT_TRUE(program) << action << ": " << program.error().message;
  }
}

}  // namespace
}  // namespace burrow::runtime

// compile_seccomp runs in the monitor, before clone; install_seccomp_program runs
// in the container init after clone and must not allocate.
#include "runtime/seccomp_bpf.h"

#include <linux/capability.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>

#include "base/file_util.h"
#include "base/log.h"
#include "base/unique_fd.h"
#include "runtime/capabilities.h"
#include "runtime/seccomp_profile.h"

namespace burrow::runtime {
namespace {

using base::Result;
using base::Status;

constexpr std::pair<std::string_view, uint32_t> kArches[] = {
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
};

constexpr std::pair<std::string_view, scmp_compare> kOps[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

// SCMP_ACT_NOTIFY is left out on purpose: it needs a listener process that
// burrow does not run, and a filter waiting on a missing listener hangs the call.
constexpr std::string_view kActions[] = {
    "SCMP_ACT_ALLOW",       "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",  "SCMP_ACT_TRACE", "SCMP_ACT_LOG",
};

// TSYNC is accepted but has nothing to do: the container init is single-threaded.
constexpr std::string_view kFlags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
};

template <typename Table, typename Value>
std::optional<Value> lookup(const Table& table, std::string_view name) {
  for (const auto& [key, value] : table)
    if (key == name) return value;
  return std::nullopt;
}

Result<uint32_t> action_value(std::string_view action, std::optional<uint32_t> errno_ret) {
  // The OCI spec leaves errnoRet unset for "the runtime's default", which is EPERM.
  uint32_t data = errno_ret.value_or(EPERM);
  if (action == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (action == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(data);
  if (action == "SCMP_ACT_KILL") return SCMP_ACT_KILL;
  if (action == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (action == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (action == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (action == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(data);
  if (action == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  return base::failf(EINVAL, "seccomp: unknown or unsupported action \"{}\"", action);
}

using FilterContext = std::unique_ptr<void, decltype(&seccomp_release)>;

// Before Linux 5.11 the kernel runs the whole filter on every system call, and
// a few hundred allowed syscalls make a long compare chain: a binary tree keeps
// that short. From 5.11 the kernel remembers which syscalls the filter allows
// whatever their arguments and skips the filter for them, so the tree would
// mostly double the compile time (~11 ms -> ~25 ms for the default profile with
// the x86 and x32 sub-arches, measured on a loaded 2-core VM).
bool wants_binary_tree() {
  static const bool wanted = [] {
    auto kernel = running_kernel_version();
    return !kernel || *kernel < kernel_version(5, 11, 0);
  }();
  return wanted;
}

Result<FilterContext> new_filter(uint32_t default_action) {
  FilterContext context(seccomp_init(default_action), &seccomp_release);
  if (!context) return base::fail(EINVAL, "seccomp: seccomp_init failed");
  if (wants_binary_tree()) {
    int rc = seccomp_attr_set(context.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
    if (rc < 0)
      base::debug("seccomp: binary-tree optimization unavailable: {}", std::strerror(-rc));
  }
  return context;
}

Status add_architectures(scmp_filter_ctx context, const std::vector<std::string>& arches) {
  for (const auto& name : arches) {
    auto token = lookup<decltype(kArches), uint32_t>(kArches, name);
    if (!token) return base::failf(EINVAL, "seccomp: unknown architecture \"{}\"", name);
    int rc = seccomp_arch_add(context, *token);
    // The native architecture is already in a fresh filter.
    if (rc == -EEXIST) continue;
    // One filter cannot serve both byte orders (ppc64 beside ppc64le).
    if (rc == -EDOM)
      return base::failf(EDOM, "seccomp: architecture {} has a byte order other than this host's",
                         name);
    if (rc < 0)
      return base::failf(-rc, "seccomp: adding architecture {}: {}", name, std::strerror(-rc));
  }
  return base::ok();
}

Result<scmp_arg_cmp> arg_comparison(const SeccompArg& arg) {
  auto op = lookup<decltype(kOps), scmp_compare>(kOps, arg.op);
  if (!op) return base::failf(EINVAL, "seccomp: unknown operator \"{}\"", arg.op);
  return scmp_arg_cmp{arg.index, *op, arg.value, arg.value_two};
}

// libseccomp cannot AND two comparisons on the same argument (it returns
// EINVAL). Such rules are read as alternatives, one rule per comparison, which
// is what other OCI runtimes do with them.
bool has_repeated_index(const std::vector<SeccompArg>& args) {
  for (size_t i = 0; i < args.size(); ++i)
    for (size_t j = i + 1; j < args.size(); ++j)
      if (args[i].index == args[j].index) return true;
  return false;
}

Result<std::vector<std::vector<scmp_arg_cmp>>> comparison_groups(
    const std::vector<SeccompArg>& args) {
  std::vector<scmp_arg_cmp> all;
  for (const auto& arg : args) {
    BURROW_TRY(auto cmp, arg_comparison(arg));
    all.push_back(cmp);
  }
  if (!has_repeated_index(args)) return std::vector<std::vector<scmp_arg_cmp>>{all};
  std::vector<std::vector<scmp_arg_cmp>> groups;
  for (const auto& cmp : all) groups.push_back({cmp});
  return groups;
}

Status add_syscall_rule(scmp_filter_ctx context, uint32_t default_action,
                        const SeccompSyscall& rule) {
  BURROW_TRY(uint32_t action, action_value(rule.action, rule.errno_ret));
  // libseccomp refuses a rule that repeats the default action; it would change nothing.
  if (action == default_action) return base::ok();
  BURROW_TRY(auto groups, comparison_groups(rule.args));
  for (const auto& name : rule.names) {
    int number = seccomp_syscall_resolve_name(name.c_str());
    if (number == __NR_SCMP_ERROR) {
      base::debug("seccomp: skipping syscall {}, unknown to this libseccomp", name);
      continue;
    }
    for (const auto& group : groups) {
      int rc = seccomp_rule_add_array(context, action, number, group.size(), group.data());
      if (rc < 0)
        return base::failf(-rc, "seccomp: adding rule {} for {}: {}", rule.action, name,
                           std::strerror(-rc));
    }
  }
  return base::ok();
}

Status apply_flags(const std::vector<std::string>& flags, SeccompProgram& program) {
  for (const auto& flag : flags) {
    if (!is_supported_seccomp_flag(flag))
      return base::failf(EINVAL, "seccomp: unknown flag \"{}\"", flag);
    if (flag == "SECCOMP_FILTER_FLAG_LOG") program.log = true;
    if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") program.spec_allow = true;
  }
  return base::ok();
}

// libseccomp writes the program to a file descriptor only; a memfd keeps it off disk.
Result<std::vector<struct sock_filter>> export_filter(scmp_filter_ctx context) {
  base::UniqueFd fd(::memfd_create("burrow-seccomp", MFD_CLOEXEC));
  if (!fd) return base::fail_errno("seccomp: memfd_create");
  int rc = seccomp_export_bpf(context, fd.get());
  if (rc < 0) return base::failf(-rc, "seccomp: exporting filter: {}", std::strerror(-rc));
  off_t size = ::lseek(fd.get(), 0, SEEK_END);
  if (size < 0 || ::lseek(fd.get(), 0, SEEK_SET) < 0) return base::fail_errno("seccomp: lseek");
  constexpr size_t kInstruction = sizeof(struct sock_filter);
  size_t count = static_cast<size_t>(size) / kInstruction;
  if (size == 0 || static_cast<size_t>(size) % kInstruction != 0)
    return base::failf(EINVAL, "seccomp: libseccomp exported {} bytes, not whole instructions",
                       size);
  // The kernel refuses programs longer than BPF_MAXINSNS instructions.
  if (count > BPF_MAXINSNS)
    return base::failf(E2BIG, "seccomp: the filter has {} instructions, the kernel accepts {}",
                       count, BPF_MAXINSNS);
  BURROW_TRY(std::string bytes, base::read_fd(fd.get(), count * kInstruction));
  if (bytes.size() != count * kInstruction)
    return base::fail(EIO, "seccomp: short read of the exported filter");
  std::vector<struct sock_filter> filter(count);
  std::memcpy(filter.data(), bytes.data(), bytes.size());
  return filter;
}

}  // namespace

bool is_supported_seccomp_action(std::string_view action) {
  return std::find(std::begin(kActions), std::end(kActions), action) != std::end(kActions);
}

bool is_supported_seccomp_op(std::string_view op) {
  return lookup<decltype(kOps), scmp_compare>(kOps, op).has_value();
}

bool is_supported_seccomp_arch(std::string_view arch) {
  return lookup<decltype(kArches), uint32_t>(kArches, arch).has_value();
}

bool is_supported_seccomp_flag(std::string_view flag) {
  return std::find(std::begin(kFlags), std::end(kFlags), flag) != std::end(kFlags);
}

Result<SeccompProgram> compile_seccomp(const Seccomp& seccomp) {
  BURROW_TRY(uint32_t default_action,
             action_value(seccomp.default_action, seccomp.default_errno_ret));
  SeccompProgram program;
  BURROW_CHECK(apply_flags(seccomp.flags, program));
  BURROW_TRY(FilterContext context, new_filter(default_action));
  BURROW_CHECK(add_architectures(context.get(), seccomp.architectures));
  for (const auto& rule : seccomp.syscalls)
    BURROW_CHECK(add_syscall_rule(context.get(), default_action, rule));
  BURROW_TRY(program.filter, export_filter(context.get()));
  return program;
}

int install_seccomp_program(const SeccompProgram& program, bool no_new_privileges_already_set) {
  if (program.filter.empty()) return EINVAL;
  if (!no_new_privileges_already_set && ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 &&
      !has_effective_capability(CAP_SYS_ADMIN))
    return EACCES;
  struct sock_fprog fprog {};
  fprog.len = static_cast<unsigned short>(program.filter.size());
  // The kernel copies the program; it never writes through this pointer.
  fprog.filter = const_cast<struct sock_filter*>(program.filter.data());
  unsigned int flags = (program.log ? SECCOMP_FILTER_FLAG_LOG : 0u) |
                       (program.spec_allow ? SECCOMP_FILTER_FLAG_SPEC_ALLOW : 0u);
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog) == 0) return 0;
  int error = errno;
  // LOG (4.14) and SPEC_ALLOW (4.17) only tune logging and speed: older kernels
  // reject them with EINVAL, and the filter is still worth installing without.
  if (error == EINVAL && flags != 0) {
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0u, &fprog) == 0) return 0;
    error = errno;
  }
  // seccomp(2) arrived in 3.17; prctl installs the same filter, without flags.
  if (error == ENOSYS) {
    if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) == 0) return 0;
    error = errno;
  }
  return error;
}

}  // namespace burrow::runtime

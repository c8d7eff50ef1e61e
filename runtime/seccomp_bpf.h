// Compiling an OCI `Seccomp` to a classic BPF program, and installing it.
//
// compile_seccomp() runs in the parent (monitor) process: libseccomp allocates
// freely, reads syscall tables and may take a few milliseconds. The result is
// plain data that survives clone(), so the container init only has to call
// install_seccomp_program(), which neither allocates nor fails halfway.
#pragma once

#include <linux/filter.h>

#include <string_view>
#include <vector>

#include "base/result.h"
#include "runtime/spec.h"

namespace burrow::runtime {

struct SeccompProgram {
  std::vector<struct sock_filter> filter;
  bool log = false;         // SECCOMP_FILTER_FLAG_LOG: log every action but ALLOW
  bool spec_allow = false;  // SECCOMP_FILTER_FLAG_SPEC_ALLOW: keep SSB mitigation off
};

// Names accepted in a profile ("SCMP_ACT_ERRNO", "SCMP_CMP_EQ", "SCMP_ARCH_X86_64",
// "SECCOMP_FILTER_FLAG_LOG"); the profile parser uses them to reject a bad
// field with its path before compile time.
bool is_supported_seccomp_action(std::string_view action);
bool is_supported_seccomp_op(std::string_view op);
bool is_supported_seccomp_arch(std::string_view arch);
bool is_supported_seccomp_flag(std::string_view flag);

// Builds the filter with libseccomp. Syscall names unknown to this libseccomp are
// skipped (logged at debug): profiles name syscalls of newer kernels and other
// arches. Unknown actions, operators, arches or flags are errors.
base::Result<SeccompProgram> compile_seccomp(const Seccomp& seccomp);

// Container init, after clone: installs `program` with seccomp(2), falling back
// to prctl(PR_SET_SECCOMP) on kernels without it. Returns 0 or an errno value;
// does not allocate.
//
// Without no_new_privileges the kernel only accepts a filter from a process
// with CAP_SYS_ADMIN in its user namespace, so the caller must install it before
// dropping capabilities. When `no_new_privileges_already_set` is false and the
// process has neither, this returns EACCES before touching anything; it never
// sets no_new_privileges itself, which would silently break setuid programs.
int install_seccomp_program(const SeccompProgram& program, bool no_new_privileges_already_set);

}  // namespace burrow::runtime

#include "runtime/seccomp_profile.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/digest.h"
#include "runtime/capabilities.h"

namespace burrow::runtime {
namespace {

constexpr std::string_view kX86_64 = "SCMP_ARCH_X86_64";
constexpr uint32_t kModernKernel = kernel_version(6, 1, 0);

Seccomp resolve_default(const std::vector<std::string>& caps, std::string_view arch = kX86_64,
                        uint32_t kernel = kModernKernel) {
  auto seccomp = seccomp_for_container(default_seccomp_profile_json(), caps, arch, kernel);
  EXPECT_TRUE(seccomp.has_value()) << seccomp.error().message;
  return seccomp.value_or(Seccomp{});
}

// Whether some rule names `syscall` with `action` (with or without argument checks).
bool has_rule(const Seccomp& seccomp, std::string_view syscall,
              std::string_view action = "SCMP_ACT_ALLOW") {
  return std::any_of(seccomp.syscalls.begin(), seccomp.syscalls.end(), [&](const auto& rule) {
    return rule.action == action &&
           std::find(rule.names.begin(), rule.names.end(), syscall) != rule.names.end();
  });
}

std::vector<std::string> with_cap(std::string cap) {
  auto caps = default_capabilities();
  caps.push_back(std::move(cap));
  return caps;
}

std::string error_of(std::string_view json) {
  auto seccomp = seccomp_for_container(json, {}, kX86_64, kModernKernel);
  return seccomp ? std::string("(no error)") : seccomp.error().message;
}

TEST(SeccompProfileTest, EmbeddedDefaultIsTheJsonObject) {
  std::string_view json = default_seccomp_profile_json();
  ASSERT_GT(json.size(), 1000u);
  EXPECT_EQ(json.front(), '{');
  EXPECT_NE(json.find("\"defaultAction\""), std::string_view::npos);
}

TEST(SeccompProfileTest, BuildTimeDigestIsTheEmbeddedProfiles) {
  EXPECT_EQ(default_seccomp_profile_sha256(), base::sha256_hex(default_seccomp_profile_json()));
}

TEST(SeccompProfileTest, DefaultParsesWithDefaultAction) {
  Seccomp seccomp = resolve_default(default_capabilities());
  EXPECT_EQ(seccomp.default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(seccomp.default_errno_ret, 1u);
  EXPECT_TRUE(has_rule(seccomp, "read"));
  EXPECT_TRUE(has_rule(seccomp, "execve"));
  EXPECT_TRUE(has_rule(seccomp, "socket"));
  EXPECT_FALSE(has_rule(seccomp, "kexec_load"));
  EXPECT_FALSE(has_rule(seccomp, "keyctl"));
}

TEST(SeccompProfileTest, ArchMapGivesNativeArchAndSubArches) {
  EXPECT_EQ(resolve_default({}).architectures,
            (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
  EXPECT_EQ(resolve_default({}, "SCMP_ARCH_AARCH64").architectures,
            (std::vector<std::string>{"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}));
  // An arch the map does not mention runs alone.
  EXPECT_EQ(resolve_default({}, "SCMP_ARCH_MIPS").architectures,
            (std::vector<std::string>{"SCMP_ARCH_MIPS"}));
}

TEST(SeccompProfileTest, SysAdminGatesMountAndNamespaces) {
  Seccomp plain = resolve_default(default_capabilities());
  EXPECT_FALSE(has_rule(plain, "mount"));
  EXPECT_FALSE(has_rule(plain, "setns"));
  EXPECT_TRUE(has_rule(plain, "clone3", "SCMP_ACT_ERRNO"));

  Seccomp admin = resolve_default(with_cap("CAP_SYS_ADMIN"));
  EXPECT_TRUE(has_rule(admin, "mount"));
  EXPECT_TRUE(has_rule(admin, "setns"));
  EXPECT_TRUE(has_rule(admin, "clone3"));
  // The ENOSYS rule is excluded once CAP_SYS_ADMIN allows clone3 outright.
  EXPECT_FALSE(has_rule(admin, "clone3", "SCMP_ACT_ERRNO"));
}

TEST(SeccompProfileTest, CapabilityNamesMatchInAnySpelling) {
  EXPECT_TRUE(has_rule(resolve_default({"sys_admin"}), "mount"));
  EXPECT_TRUE(has_rule(resolve_default({"cap_sys_boot"}), "reboot"));
  EXPECT_FALSE(has_rule(resolve_default({}), "reboot"));
}

TEST(SeccompProfileTest, EitherOfTwoCapabilitiesAllowsBpf) {
  EXPECT_FALSE(has_rule(resolve_default({}), "bpf"));
  EXPECT_TRUE(has_rule(resolve_default({"CAP_BPF"}), "bpf"));
  EXPECT_TRUE(has_rule(resolve_default({"CAP_SYS_ADMIN"}), "bpf"));
}

TEST(SeccompProfileTest, CloneMaskUsesTheArchitecturesFlagsArgument) {
  auto clone_arg_index = [](const Seccomp& seccomp) -> int {
    for (const auto& rule : seccomp.syscalls)
      if (rule.names == std::vector<std::string>{"clone"} && !rule.args.empty())
        return static_cast<int>(rule.args[0].index);
    return -1;
  };
  EXPECT_EQ(clone_arg_index(resolve_default({})), 0);
  EXPECT_EQ(clone_arg_index(resolve_default({}, "SCMP_ARCH_S390X")), 1);
  EXPECT_EQ(clone_arg_index(resolve_default({"CAP_SYS_ADMIN"})), -1);
}

TEST(SeccompProfileTest, MinKernelGatesPtrace) {
  EXPECT_TRUE(has_rule(resolve_default({}, kX86_64, kernel_version(4, 8, 0)), "ptrace"));
  EXPECT_FALSE(has_rule(resolve_default({}, kX86_64, kernel_version(4, 4, 0)), "ptrace"));
  EXPECT_TRUE(
      has_rule(resolve_default({"CAP_SYS_PTRACE"}, kX86_64, kernel_version(4, 4, 0)), "ptrace"));
}

TEST(SeccompProfileTest, RulesKeepErrnoAndArgs) {
  Seccomp seccomp = resolve_default({});
  for (const auto& rule : seccomp.syscalls) {
    if (rule.names != std::vector<std::string>{"clone3"}) continue;
    EXPECT_EQ(rule.errno_ret, 38u);
  }
  auto personality = std::count_if(seccomp.syscalls.begin(), seccomp.syscalls.end(),
                                   [](const auto& rule) { return rule.names[0] == "personality"; });
  EXPECT_EQ(personality, 5);
}

TEST(SeccompProfileTest, ArchesInIncludesAndExcludes) {
  constexpr std::string_view kProfile = R"({
    "defaultAction": "SCMP_ACT_ERRNO",
    "syscalls": [
      {"names": ["only_arm64"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm64"]}},
      {"names": ["not_amd64"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["amd64"]}},
      {"names": ["scmp_name"], "action": "SCMP_ACT_ALLOW",
       "includes": {"arches": ["SCMP_ARCH_X86_64"]}}
    ]})";
  auto x86 = seccomp_for_container(kProfile, {}, kX86_64, kModernKernel);
  ASSERT_TRUE(x86) << x86.error().message;
  EXPECT_FALSE(has_rule(*x86, "only_arm64"));
  EXPECT_FALSE(has_rule(*x86, "not_amd64"));
  EXPECT_TRUE(has_rule(*x86, "scmp_name"));
  auto arm = seccomp_for_container(kProfile, {}, "SCMP_ARCH_AARCH64", kModernKernel);
  ASSERT_TRUE(arm) << arm.error().message;
  EXPECT_TRUE(has_rule(*arm, "only_arm64"));
  EXPECT_TRUE(has_rule(*arm, "not_amd64"));
  EXPECT_FALSE(has_rule(*arm, "scmp_name"));
}

TEST(SeccompProfileTest, NullListsCountAsAbsent) {
  // What Go's encoding/json writes for empty slices.
  auto seccomp = seccomp_for_container(
      R"({"defaultAction": "SCMP_ACT_ALLOW", "archMap": null,
          "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_LOG", "args": null,
                        "includes": {}, "excludes": {"caps": null}}]})",
      {}, kX86_64, kModernKernel);
  ASSERT_TRUE(seccomp) << seccomp.error().message;
  EXPECT_TRUE(has_rule(*seccomp, "getpid", "SCMP_ACT_LOG"));
}

TEST(SeccompProfileTest, MalformedJsonIsAnError) {
  EXPECT_EQ(error_of("{\"defaultAction\": ").rfind("seccomp profile: invalid JSON", 0), 0u);
  EXPECT_EQ(error_of("[]"), "seccomp profile: expected a JSON object");
}

TEST(SeccompProfileTest, WrongFieldTypesNameTheField) {
  auto with_rule = [](std::string_view rule) {
    return fmt::format(
        R"({{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
          {{"names": ["a"], "action": "SCMP_ACT_ALLOW"}},
          {{"names": ["b"], "action": "SCMP_ACT_ALLOW"}},
          {{"names": ["c"], "action": "SCMP_ACT_ALLOW"}},
          {}]}})",
        rule);
  };
  EXPECT_EQ(error_of(with_rule(R"({"names": ["d"], "action": 7})")),
            "seccomp profile: syscalls[3].action: expected a string");
  EXPECT_EQ(error_of(with_rule(R"({"names": "d", "action": "SCMP_ACT_ALLOW"})")),
            "seccomp profile: syscalls[3].names: expected a list of strings");
  EXPECT_EQ(error_of(with_rule(R"({"names": ["d", 1], "action": "SCMP_ACT_ALLOW"})")),
            "seccomp profile: syscalls[3].names[1]: expected a string");
  EXPECT_EQ(error_of(with_rule(R"({"action": "SCMP_ACT_ALLOW"})")),
            "seccomp profile: syscalls[3].names: missing");
  EXPECT_EQ(error_of(with_rule(R"({"names": ["d"], "action": "SCMP_ACT_ERRNO", "errnoRet": -1})")),
            "seccomp profile: syscalls[3].errnoRet: expected an integer between 0 and 4095");
  EXPECT_EQ(
      error_of(with_rule(
          R"({"names": ["d"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "op": "SCMP_CMP_EQ"}]})")),
      "seccomp profile: syscalls[3].args[0].index: expected an integer between 0 and 5");
  EXPECT_EQ(
      error_of(with_rule(
          R"({"names": ["d"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "op": "EQ"}]})")),
      "seccomp profile: syscalls[3].args[0].op: unknown operator \"EQ\"");
  EXPECT_EQ(error_of(with_rule(R"({"names": ["d"], "action": "SCMP_ACT_NOTIFY"})")),
            "seccomp profile: syscalls[3].action: unknown or unsupported action "
            "\"SCMP_ACT_NOTIFY\"");
  EXPECT_EQ(error_of(with_rule(
                R"({"names": ["d"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "x"}})")),
            "seccomp profile: syscalls[3].includes.minKernel: expected a kernel version like "
            "\"4.8\", got \"x\"");
  EXPECT_EQ(
      error_of(with_rule(
          R"({"names": ["d"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["vax"]}})")),
      "seccomp profile: syscalls[3].excludes.arches[0]: unknown architecture \"vax\"");
  EXPECT_EQ(error_of(with_rule(R"("d")")), "seccomp profile: syscalls[3]: expected an object");
}

TEST(SeccompProfileTest, TopLevelErrorsNameTheField) {
  EXPECT_EQ(error_of(R"({"syscalls": []})"), "seccomp profile: defaultAction: missing");
  EXPECT_EQ(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": "1"})"),
            "seccomp profile: defaultErrnoRet: expected an integer between 0 and 4095");
  EXPECT_EQ(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW",
                         "archMap": [{"architecture": "SCMP_ARCH_X86_64",
                                      "subArchitectures": ["SCMP_ARCH_Z80"]}]})"),
            "seccomp profile: archMap[0].subArchitectures[0]: unknown architecture "
            "\"SCMP_ARCH_Z80\"");
  EXPECT_EQ(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86"],
                         "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]})"),
            "seccomp profile: archMap: cannot be combined with \"architectures\"; use one of them");
  EXPECT_EQ(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "flags": ["FLAG_X"]})"),
            "seccomp profile: flags[0]: unknown flag \"FLAG_X\"");
  EXPECT_EQ(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {}})"),
            "seccomp profile: syscalls: expected a list of objects");
}

TEST(SeccompProfileTest, UnknownArchitectureOfTheContainerIsAnError) {
  auto seccomp = seccomp_for_container(default_seccomp_profile_json(), {}, "x86_64", 0);
  ASSERT_FALSE(seccomp);
  EXPECT_EQ(seccomp.error().message, "seccomp: unknown architecture \"x86_64\"");
}

constexpr std::string_view kOciProfile = R"({
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 38,
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
  "flags": ["SECCOMP_FILTER_FLAG_LOG"],
  "syscalls": [
    {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}
  ]})";

TEST(SeccompProfileTest, DetectsTheFormat) {
  EXPECT_EQ(detect_seccomp_profile_format(kOciProfile), SeccompProfileFormat::kOci);
  EXPECT_EQ(detect_seccomp_profile_format(default_seccomp_profile_json()),
            SeccompProfileFormat::kContainers);
  EXPECT_EQ(detect_seccomp_profile_format(
                R"({"defaultAction": "SCMP_ACT_ALLOW",
                    "syscalls": [{"names": ["a"], "action": "SCMP_ACT_LOG", "comment": "x"}]})"),
            SeccompProfileFormat::kContainers);
  EXPECT_FALSE(detect_seccomp_profile_format("not json"));
}

TEST(SeccompProfileTest, OciFileIsUsedAsWritten) {
  auto seccomp = parse_seccomp_file(kOciProfile, {}, "SCMP_ARCH_AARCH64", kModernKernel);
  ASSERT_TRUE(seccomp) << seccomp.error().message;
  EXPECT_EQ(seccomp->default_errno_ret, 38u);
  EXPECT_EQ(seccomp->architectures,
            (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}));
  EXPECT_EQ(seccomp->flags, std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG"});
  ASSERT_EQ(seccomp->syscalls.size(), 2u);
  ASSERT_EQ(seccomp->syscalls[1].args.size(), 1u);
  EXPECT_EQ(seccomp->syscalls[1].args[0].value, 8u);
  EXPECT_EQ(seccomp->syscalls[1].args[0].op, "SCMP_CMP_EQ");
}

TEST(SeccompProfileTest, ContainersFileIsResolved) {
  auto seccomp = parse_seccomp_file(default_seccomp_profile_json(), {}, kX86_64, kModernKernel);
  ASSERT_TRUE(seccomp) << seccomp.error().message;
  EXPECT_EQ(seccomp->architectures.size(), 3u);
  EXPECT_FALSE(has_rule(*seccomp, "mount"));
}

TEST(SeccompProfileTest, HostProbes) {
  auto arch = native_seccomp_arch();
  ASSERT_TRUE(arch) << arch.error().message;
  EXPECT_EQ(arch->rfind("SCMP_ARCH_", 0), 0u);
  auto kernel = running_kernel_version();
  ASSERT_TRUE(kernel) << kernel.error().message;
  EXPECT_GE(*kernel, kernel_version(3, 0, 0));
  EXPECT_EQ(kernel_version(4, 8, 0), 0x040800u);
  EXPECT_EQ(kernel_version(5, 4, 300), kernel_version(5, 4, 255));
}

}  // namespace
}  // namespace burrow::runtime

#include "runtime/capabilities.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>

#include "base/file_util.h"
#include "base/strings.h"
#include "runtime/test_child.h"

namespace burrow::runtime {
namespace {

constexpr std::string_view kSkip = "SKIP: ";

using testing::run_in_child;

// A capability mask from /proc/self/status ("CapBnd", "CapEff", ...).
uint64_t status_mask(std::string_view field) {
  auto status = base::read_file("/proc/self/status");
  if (!status) return ~uint64_t{0};
  for (const auto& line : base::split(*status, '\n')) {
    if (!base::starts_with(line, fmt::format("{}:", field))) continue;
    return std::stoull(std::string(base::trim(line.substr(field.size() + 1))), nullptr, 16);
  }
  return ~uint64_t{0};
}

uint64_t bit(int cap) { return uint64_t{1} << cap; }

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> names_in_mask(uint64_t mask) {
  std::vector<std::string> out;
  for (const auto& name : all_capabilities())
    if (mask & bit(*capability_from_name(name))) out.push_back(name);
  return sorted(out);
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

TEST(CapabilitiesTest, NamesInEverySpelling) {
  EXPECT_EQ(capability_from_name("CAP_CHOWN"), 0);
  EXPECT_EQ(capability_from_name("chown"), 0);
  EXPECT_EQ(capability_from_name("cap_chown"), 0);
  EXPECT_EQ(capability_from_name("Net_Admin"), CAP_NET_ADMIN);
  EXPECT_EQ(capability_from_name("SYS_ADMIN"), CAP_SYS_ADMIN);
  EXPECT_EQ(capability_from_name("CAP_CHECKPOINT_RESTORE"), 40);
}

TEST(CapabilitiesTest, UnknownNamesExplainTheSpelling) {
  auto cap = capability_from_name("CAP_FLY");
  ASSERT_FALSE(cap);
  EXPECT_EQ(cap.error().message,
            "unknown capability \"CAP_FLY\": use a name from capabilities(7) such as "
            "CAP_NET_ADMIN or net_admin (case does not matter)");
  EXPECT_FALSE(capability_from_name(""));
  EXPECT_FALSE(capability_from_name("ALL"));
}

TEST(CapabilitiesTest, NumbersToNames) {
  EXPECT_EQ(capability_name(0), "CAP_CHOWN");
  EXPECT_EQ(capability_name(CAP_SYS_ADMIN), "CAP_SYS_ADMIN");
  EXPECT_EQ(capability_name(40), "CAP_CHECKPOINT_RESTORE");
  EXPECT_EQ(capability_name(99), "CAP_UNKNOWN_99");
  for (int cap = 0; cap <= 40; ++cap) EXPECT_EQ(capability_from_name(capability_name(cap)), cap);
}

TEST(CapabilitiesTest, DefaultSetIsPodmans) {
  auto caps = default_capabilities();
  EXPECT_EQ(caps.size(), 11u);
  EXPECT_TRUE(contains(caps, "CAP_NET_BIND_SERVICE"));
  EXPECT_FALSE(contains(caps, "CAP_NET_RAW"));
  for (const auto& cap : caps) EXPECT_TRUE(capability_from_name(cap)) << cap;
}

TEST(CapabilitiesTest, AllFollowsTheKernel) {
  auto last = base::read_file("/proc/sys/kernel/cap_last_cap");
  ASSERT_TRUE(last);
  size_t expected = std::min<size_t>(std::stoul(*last) + 1, 41);
  auto caps = all_capabilities();
  EXPECT_EQ(caps.size(), expected);
  EXPECT_EQ(caps.front(), "CAP_CHOWN");
}

TEST(CapabilitiesTest, ResolveWithoutChangesSortsTheBase) {
  auto caps = resolve_capabilities(default_capabilities(), {}, {});
  ASSERT_TRUE(caps) << caps.error().message;
  EXPECT_EQ(*caps, sorted(default_capabilities()));
}

TEST(CapabilitiesTest, ResolveAddsAndDrops) {
  auto caps = resolve_capabilities(default_capabilities(), {"net_admin", "CAP_KILL"}, {"chown"});
  ASSERT_TRUE(caps) << caps.error().message;
  EXPECT_TRUE(contains(*caps, "CAP_NET_ADMIN"));
  EXPECT_FALSE(contains(*caps, "CAP_CHOWN"));
  EXPECT_EQ(std::count(caps->begin(), caps->end(), "CAP_KILL"), 1);
  EXPECT_EQ(caps->size(), default_capabilities().size());
  EXPECT_TRUE(std::is_sorted(caps->begin(), caps->end()));
}

TEST(CapabilitiesTest, DropAllKeepsOnlyTheAdded) {
  auto caps = resolve_capabilities(default_capabilities(), {"kill", "chown"}, {"all"});
  ASSERT_TRUE(caps) << caps.error().message;
  EXPECT_EQ(*caps, (std::vector<std::string>{"CAP_CHOWN", "CAP_KILL"}));
}

TEST(CapabilitiesTest, AddAllGrantsTheBoundingSet) {
  auto caps = resolve_capabilities(default_capabilities(), {"ALL"}, {"CAP_SYS_ADMIN"});
  ASSERT_TRUE(caps) << caps.error().message;
  auto expected = names_in_mask(status_mask("CapBnd"));
  expected.erase(std::remove(expected.begin(), expected.end(), "CAP_SYS_ADMIN"), expected.end());
  EXPECT_EQ(*caps, expected);
}

TEST(CapabilitiesTest, ResolveRefusesContradictions) {
  auto both_all = resolve_capabilities({}, {"ALL"}, {"all"});
  ASSERT_FALSE(both_all);
  EXPECT_EQ(both_all.error().message, "capabilities: cannot add ALL and drop ALL at the same time");
  auto both_chown = resolve_capabilities({}, {"chown"}, {"CAP_CHOWN"});
  ASSERT_FALSE(both_chown);
  EXPECT_EQ(both_chown.error().message, "capabilities: CAP_CHOWN cannot be both added and dropped");
  EXPECT_FALSE(resolve_capabilities({}, {}, {"CAP_TELEPORT"}));
  EXPECT_FALSE(resolve_capabilities({"CAP_TELEPORT"}, {}, {}));
}

TEST(CapabilitiesTest, PlanSetsOneBitPerCapability) {
  Capabilities caps;
  caps.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  caps.permitted = {"CAP_CHOWN", "CAP_NET_BIND_SERVICE"};
  caps.effective = {"CAP_CHOWN"};
  caps.inheritable = {"CAP_NET_BIND_SERVICE"};
  caps.ambient = {"net_bind_service"};
  auto plan = plan_capabilities(caps);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->bounding, bit(CAP_CHOWN) | bit(CAP_KILL) | bit(CAP_NET_BIND_SERVICE));
  EXPECT_EQ(plan->permitted, bit(CAP_CHOWN) | bit(CAP_NET_BIND_SERVICE));
  EXPECT_EQ(plan->effective, bit(CAP_CHOWN));
  EXPECT_EQ(plan->inheritable, bit(CAP_NET_BIND_SERVICE));
  EXPECT_EQ(plan->ambient, bit(CAP_NET_BIND_SERVICE));
}

TEST(CapabilitiesTest, PlanRefusesWhatTheKernelWould) {
  Capabilities unknown;
  unknown.effective = {"CAP_CHOWN", "CAP_WARP"};
  auto plan = plan_capabilities(unknown);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().message.rfind("capabilities.effective[1]: unknown capability", 0), 0u);

  Capabilities effective_only;
  effective_only.effective = {"CAP_KILL"};
  plan = plan_capabilities(effective_only);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().message,
            "capabilities: effective capability CAP_KILL is not in the permitted set");

  Capabilities ambient_only;
  ambient_only.permitted = {"CAP_KILL"};
  ambient_only.ambient = {"CAP_KILL"};
  plan = plan_capabilities(ambient_only);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().message,
            "capabilities: ambient capability CAP_KILL is not in the inheritable set");
}

// Drops CAP_CHOWN from every set it is in and reports the resulting masks.
std::string drop_chown_and_check() {
  CapabilityPlan plan;
  plan.bounding = status_mask("CapBnd") & ~bit(CAP_CHOWN);
  plan.permitted = status_mask("CapPrm") & ~bit(CAP_CHOWN);
  plan.effective = status_mask("CapEff") & ~bit(CAP_CHOWN);
  plan.inheritable = status_mask("CapInh") & ~bit(CAP_CHOWN);
  uint64_t bounding_before = status_mask("CapBnd");
  bool can_drop = has_effective_capability(CAP_SETPCAP);
  int error = apply_capability_plan(plan);
  if (!can_drop) {
    // Without CAP_SETPCAP the bounding set cannot shrink: the documented EPERM, nothing changed.
    if (error != EPERM) return fmt::format("without CAP_SETPCAP: got {}, want EPERM", error);
    if (status_mask("CapBnd") != bounding_before) return "bounding set changed after EPERM";
    return "";
  }
  if (error != 0) return fmt::format("apply_capability_plan: {}", std::strerror(error));
  if (status_mask("CapBnd") != plan.bounding)
    return fmt::format("CapBnd {:#x}, want {:#x}", status_mask("CapBnd"), plan.bounding);
  if (status_mask("CapEff") != plan.effective)
    return fmt::format("CapEff {:#x}, want {:#x}", status_mask("CapEff"), plan.effective);
  return "";
}

TEST(CapabilitiesTest, ApplyDropsFromTheBoundingSetOrSaysWhyNot) {
  EXPECT_EQ(run_in_child(drop_chown_and_check), "");
}

// In a new user namespace the process holds every capability, so the full
// plan (bounding drop, capset, ambient raise) runs without host privileges.
std::string apply_in_user_namespace() {
  if (::unshare(CLONE_NEWUSER) != 0)
    return fmt::format("{}unshare(CLONE_NEWUSER): {}", kSkip, std::strerror(errno));
  CapabilityPlan plan;
  plan.bounding = status_mask("CapBnd") & ~bit(CAP_CHOWN);
  plan.permitted = plan.bounding;
  plan.effective = bit(CAP_KILL);
  plan.inheritable = bit(CAP_NET_BIND_SERVICE);
  plan.ambient = bit(CAP_NET_BIND_SERVICE);
  if (int error = apply_capability_plan(plan))
    return fmt::format("apply_capability_plan: {}", std::strerror(error));
  std::string failures;
  for (auto [field, want] : {std::pair{"CapBnd", plan.bounding},
                             {"CapPrm", plan.permitted},
                             {"CapEff", plan.effective},
                             {"CapInh", plan.inheritable},
                             {"CapAmb", plan.ambient}}) {
    uint64_t got = status_mask(field);
    if (got != want) failures += fmt::format("{} {:#x}, want {:#x}\n", field, got, want);
  }
  if (has_effective_capability(CAP_CHOWN) || !has_effective_capability(CAP_KILL))
    failures += "has_effective_capability disagrees with CapEff\n";
  return failures;
}

TEST(CapabilitiesTest, ApplyFullPlanInAUserNamespace) {
  std::string failure = run_in_child(apply_in_user_namespace);
  if (base::starts_with(failure, kSkip)) GTEST_SKIP() << failure.substr(kSkip.size());
  EXPECT_EQ(failure, "");
}

}  // namespace
}  // namespace burrow::runtime

// Name handling and planning run in the CLI / engine; apply_capability_plan and
// has_effective_capability run in the container init after clone, so they use
// raw system calls and no heap (libcap allocates in cap_init and friends).
#include "runtime/capabilities.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <string>

#include "base/file_util.h"
#include "base/log.h"
#include "base/strings.h"

namespace burrow::runtime {
namespace {

using base::Result;

// Indexed by capability number (linux/capability.h).
constexpr std::array<std::string_view, 41> kNames = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

constexpr std::string_view kAll = "ALL";

// The capability sets are 64-bit in the kernel's ABI; bit numbers above that cannot exist.
constexpr int kMaxCapBits = 64;

std::string to_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

uint64_t bit(int cap) { return uint64_t{1} << cap; }

// The highest capability number the kernel knows: /proc/sys/kernel/cap_last_cap,
// or, where /proc is not mounted, probing the bounding set (EINVAL past the end).
int kernel_last_cap() {
  auto text = base::read_file_limited("/proc/sys/kernel/cap_last_cap", 64);
  if (text) {
    std::string_view digits = base::trim(*text);
    int value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc() && end == digits.data() + digits.size() && value >= 0 &&
        value < kMaxCapBits)
      return value;
  }
  int cap = 0;
  while (cap + 1 < kMaxCapBits && ::prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0) ++cap;
  return cap;
}

// Names ("CAP_X" or "ALL") of a --cap-add/--cap-drop list, validated.
Result<std::vector<std::string>> normalize_list(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& name : names) {
    std::string normalized;
    if (to_upper(name) == kAll) {
      normalized = std::string(kAll);
    } else {
      BURROW_TRY(int cap, capability_from_name(name));
      normalized = capability_name(cap);
    }
    if (std::find(out.begin(), out.end(), normalized) == out.end()) out.push_back(normalized);
  }
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// What "ALL" means: the capabilities this process can hand to a container.
std::vector<std::string> current_bounding_set() {
  std::vector<std::string> out;
  for (const auto& name : all_capabilities()) {
    auto cap = capability_from_name(name);
    if (cap && ::prctl(PR_CAPBSET_READ, *cap, 0, 0, 0) == 1) out.push_back(name);
  }
  return out;
}

std::vector<std::string> expand_all(std::vector<std::string> names) {
  if (!contains(names, kAll)) return names;
  std::vector<std::string> out = current_bounding_set();
  for (auto& name : names)
    if (name != kAll && !contains(out, name)) out.push_back(std::move(name));
  return out;
}

Result<uint64_t> cap_bits(const std::vector<std::string>& names, std::string_view set) {
  uint64_t bits = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    auto cap = capability_from_name(names[i]);
    if (!cap) return tl::unexpected(cap.error().with_context(fmt::format("{}[{}]", set, i)));
    bits |= bit(*cap);
  }
  return bits;
}

base::Status require_subset(uint64_t subset, uint64_t superset, std::string_view subset_name,
                            std::string_view superset_name) {
  uint64_t extra = subset & ~superset;
  if (extra == 0) return base::ok();
  int cap = __builtin_ctzll(extra);
  return base::failf(EINVAL, "capabilities: {} capability {} is not in the {} set", subset_name,
                     capability_name(cap), superset_name);
}

int drop_bounding(uint64_t keep) {
  for (int cap = 0; cap < kMaxCapBits; ++cap) {
    int present = ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (present < 0) break;  // EINVAL: past the kernel's last capability
    if (present == 0 || (keep & bit(cap)) != 0) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) return errno;
  }
  return 0;
}

int set_capability_sets(const CapabilityPlan& plan) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  for (int word = 0; word < _LINUX_CAPABILITY_U32S_3; ++word) {
    int shift = 32 * word;
    data[word].effective = static_cast<uint32_t>(plan.effective >> shift);
    data[word].permitted = static_cast<uint32_t>(plan.permitted >> shift);
    data[word].inheritable = static_cast<uint32_t>(plan.inheritable >> shift);
  }
  if (::syscall(SYS_capset, &header, data) != 0) return errno;
  return 0;
}

int set_ambient(uint64_t ambient) {
  // EINVAL: kernels before 4.3 have no ambient set; fine as long as none is asked for.
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
      (errno != EINVAL || ambient != 0))
    return errno;
  for (int cap = 0; cap < kMaxCapBits; ++cap) {
    if ((ambient & bit(cap)) == 0) continue;
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) return errno;
  }
  return 0;
}

}  // namespace

Result<int> capability_from_name(std::string_view name) {
  std::string upper = to_upper(name);
  if (upper.rfind("CAP_", 0) != 0) upper = "CAP_" + upper;
  for (size_t cap = 0; cap < kNames.size(); ++cap)
    if (kNames[cap] == upper) return static_cast<int>(cap);
  return base::failf(EINVAL,
                     "unknown capability \"{}\": use a name from capabilities(7) such as "
                     "CAP_NET_ADMIN or net_admin (case does not matter)",
                     name);
}

std::string capability_name(int cap) {
  if (cap >= 0 && static_cast<size_t>(cap) < kNames.size()) return std::string(kNames[cap]);
  return fmt::format("CAP_UNKNOWN_{}", cap);
}

std::vector<std::string> default_capabilities() {
  return {"CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",    "CAP_FSETID",
          "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",   "CAP_SETGID",
          "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT"};
}

std::vector<std::string> all_capabilities() {
  int last = kernel_last_cap();
  if (static_cast<size_t>(last) >= kNames.size())
    base::debug("capabilities: the kernel knows {} capabilities, burrow names {}", last + 1,
                kNames.size());
  std::vector<std::string> out;
  for (int cap = 0; cap <= last && static_cast<size_t>(cap) < kNames.size(); ++cap)
    out.push_back(capability_name(cap));
  return out;
}

Result<std::vector<std::string>> resolve_capabilities(const std::vector<std::string>& base,
                                                      const std::vector<std::string>& add,
                                                      const std::vector<std::string>& drop) {
  BURROW_TRY(auto base_caps, normalize_list(base));
  base_caps = expand_all(std::move(base_caps));
  BURROW_TRY(auto add_caps, normalize_list(add));
  BURROW_TRY(auto drop_caps, normalize_list(drop));
  if (contains(add_caps, kAll) && contains(drop_caps, kAll))
    return base::fail(EINVAL, "capabilities: cannot add ALL and drop ALL at the same time");
  for (const auto& cap : add_caps)
    if (cap != kAll && contains(drop_caps, cap))
      return base::failf(EINVAL, "capabilities: {} cannot be both added and dropped", cap);
  std::vector<std::string> out;
  if (contains(drop_caps, kAll)) {
    out = add_caps;
  } else {
    if (contains(add_caps, kAll)) base_caps = current_bounding_set();
    for (const auto& cap : base_caps)
      if (!contains(drop_caps, cap)) out.push_back(cap);
    for (const auto& cap : add_caps)
      if (cap != kAll && !contains(out, cap)) out.push_back(cap);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<CapabilityPlan> plan_capabilities(const Capabilities& caps) {
  CapabilityPlan plan;
  BURROW_TRY(plan.bounding, cap_bits(caps.bounding, "capabilities.bounding"));
  BURROW_TRY(plan.effective, cap_bits(caps.effective, "capabilities.effective"));
  BURROW_TRY(plan.permitted, cap_bits(caps.permitted, "capabilities.permitted"));
  BURROW_TRY(plan.inheritable, cap_bits(caps.inheritable, "capabilities.inheritable"));
  BURROW_TRY(plan.ambient, cap_bits(caps.ambient, "capabilities.ambient"));
  // capset(2) and PR_CAP_AMBIENT_RAISE refuse these with a bare EPERM in the
  // container init; naming the capability here is far more useful.
  BURROW_CHECK(require_subset(plan.effective, plan.permitted, "effective", "permitted"));
  BURROW_CHECK(require_subset(plan.ambient, plan.permitted, "ambient", "permitted"));
  BURROW_CHECK(require_subset(plan.ambient, plan.inheritable, "ambient", "inheritable"));
  return plan;
}

int apply_capability_plan(const CapabilityPlan& plan) {
  // The bounding set first: dropping from it needs CAP_SETPCAP, which capset may remove.
  if (int error = drop_bounding(plan.bounding)) return error;
  if (int error = set_capability_sets(plan)) return error;
  return set_ambient(plan.ambient);
}

bool has_effective_capability(int cap) {
  if (cap < 0 || cap >= kMaxCapBits) return false;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  return (data[cap / 32].effective & (uint32_t{1} << (cap % 32))) != 0;
}

}  // namespace burrow::runtime

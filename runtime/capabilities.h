// Linux capabilities: names, --cap-add/--cap-drop resolution and the plan the
// container init applies. Everything but apply_capability_plan() and
// has_effective_capability() runs in the CLI / engine; those two run in the
// container init after clone and do not allocate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "runtime/spec.h"

namespace burrow::runtime {

// "CAP_CHOWN", "chown", "cap_chown", "Chown" -> 0. Unknown names fail with a
// hint on how to spell one.
base::Result<int> capability_from_name(std::string_view name);

// 0 -> "CAP_CHOWN". Numbers this build has no name for give "CAP_UNKNOWN_<n>".
std::string capability_name(int cap);

// Podman's default set for containers.
std::vector<std::string> default_capabilities();

// Every capability the running kernel knows and this build can name, in number order.
std::vector<std::string> all_capabilities();

// --cap-add / --cap-drop as Podman applies them to `base`:
//   - names are normalized to "CAP_X"; "ALL" (any case) is allowed in both lists;
//   - drop ALL keeps only `add`; add ALL starts from this process's bounding set
//     (what it can actually grant); both ALL is an error;
//   - a capability both added and dropped is an error.
// The result is sorted by name, as Podman shows it in inspect.
base::Result<std::vector<std::string>> resolve_capabilities(const std::vector<std::string>& base,
                                                            const std::vector<std::string>& add,
                                                            const std::vector<std::string>& drop);

// One bit per capability number.
struct CapabilityPlan {
  uint64_t bounding = 0, effective = 0, permitted = 0, inheritable = 0, ambient = 0;
};

// Bit sets from the OCI lists. Fails on unknown names and on sets the kernel
// would refuse: effective outside permitted, ambient outside permitted and
// inheritable.
base::Result<CapabilityPlan> plan_capabilities(const Capabilities& caps);

// Container init, after setgroups/setgid/setuid (the caller keeps its
// capabilities across the uid switch with PR_SET_KEEPCAPS / SECBIT_KEEP_CAPS):
//   1. drops every capability outside plan.bounding from the bounding set,
//      which needs CAP_SETPCAP in the effective set (else EPERM);
//   2. sets effective/permitted/inheritable with capset(2);
//   3. clears the ambient set, so nothing leaks in from the parent, and raises
//      plan.ambient.
// Returns 0 or the errno of the first step that failed. Does not allocate.
int apply_capability_plan(const CapabilityPlan& plan);

// Whether `cap` is in this thread's effective set (capget(2); does not allocate).
bool has_effective_capability(int cap);

}  // namespace burrow::runtime

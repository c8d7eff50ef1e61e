// Test helper: runs a body in a forked child, so changes to credentials,
// capabilities or seccomp never reach the test runner.
#pragma once

#include <functional>
#include <string>

namespace burrow::runtime::testing {

// Returns what the child reported: empty on success, else why it failed
// (plus how it died, when it did not exit normally).
std::string run_in_child(const std::function<std::string()>& body);

}  // namespace burrow::runtime::testing

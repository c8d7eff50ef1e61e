// Shared by the runtime tests that run real containers (linux_container_test,
// exec_process_test): their mode, a busybox rootfs with the static probe,
// and a default spec for it.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "base/result.h"
#include "runtime/spec.h"

namespace burrow::runtime::test_support {

// BURROW_TEST_ROOTLESS=1: running inside `unshare -Urm` as the test user.
bool rootless_mode();

// The static probe: BURROW_PROBE from the environment, else the build's.
std::string probe_binary();

base::Status copy_file(const std::string& from, const std::string& to, mode_t mode);

// rootfs/bin/busybox with the given applets linked to it, /probe when the
// probe is available, a non-executable /notexec and /etc/marker ("image").
base::Status make_test_rootfs(const std::string& rootfs,
                              std::initializer_list<const char*> applets);

// Podman's defaults for `rootfs` in the current mode, hostname burrow-test,
// HOME=/.
Spec test_spec(const std::string& rootfs, std::vector<std::string> args);

}  // namespace burrow::runtime::test_support

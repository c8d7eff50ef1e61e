// Seccomp profiles in the containers JSON format (the format of Podman's
// seccomp.json and of policies/seccomp/default.json), turned into the OCI
// `Seccomp` of one container. Runs in the CLI / engine process, before any
// container process exists.
//
// The containers format is the OCI one plus per-rule conditions:
//   archMap   [{architecture, subArchitectures}]  which arches a native arch also runs
//   syscalls[].includes {caps, arches, minKernel} rule applies only if all match
//   syscalls[].excludes {caps, arches}            rule is dropped if any matches
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "runtime/spec.h"

namespace burrow::runtime {

// The same encoding as the kernel's KERNEL_VERSION(a, b, c).
constexpr uint32_t kernel_version(uint32_t major, uint32_t minor, uint32_t patch) {
  return (major << 16) + (minor << 8) + (patch > 255 ? 255 : patch);
}

// The running kernel's version from uname(2) release ("6.1.0-18-amd64" -> 6.1.0).
base::Result<uint32_t> running_kernel_version();

// The libseccomp name of the architecture this process runs on ("SCMP_ARCH_X86_64"),
// from uname(2) machine.
base::Result<std::string> native_seccomp_arch();

// policies/seccomp/default.json, embedded at build time.
std::string_view default_seccomp_profile_json();
// Its sha256 in hex, computed at build time.
std::string_view default_seccomp_profile_sha256();

enum class SeccompProfileFormat {
  kContainers,  // has archMap or per-rule includes/excludes/comment
  kOci,         // linux.seccomp of an OCI config.json: used as written
};

// Decides which format a profile is in. Only fails on text that is not a JSON object.
base::Result<SeccompProfileFormat> detect_seccomp_profile_format(std::string_view json);

// Resolves a containers-format profile for one container: keeps the rules whose
// includes/excludes match `capabilities` (the container's bounding set, "CAP_..."),
// `arch` ("SCMP_ARCH_X86_64") and `kernel_version_code` (see kernel_version()), and
// sets `architectures` to the native arch plus its archMap sub-arches.
// Malformed input fails with the field's path: "seccomp profile: syscalls[3].action: ...".
base::Result<Seccomp> seccomp_for_container(std::string_view profile_json,
                                            const std::vector<std::string>& capabilities,
                                            std::string_view arch, uint32_t kernel_version_code);

// What `--security-opt seccomp=FILE` reads: either format, detected from the content.
// An OCI profile is validated and returned unchanged; the other arguments only
// apply to the containers format.
base::Result<Seccomp> parse_seccomp_file(std::string_view json,
                                         const std::vector<std::string>& capabilities,
                                         std::string_view arch, uint32_t kernel_version_code);

}  // namespace burrow::runtime

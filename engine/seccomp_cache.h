// The seccomp filter of a container: resolved from the profile for its
// capabilities, compiled to BPF, and cached. Compiling the default profile
// with libseccomp takes about 10 ms, a third of a container start; the
// cache makes every start after the first skip it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/container_options.h"
#include "engine/host_profile.h"
#include "engine/store_paths.h"
#include "runtime/seccomp_bpf.h"
#include "runtime/spec.h"

namespace burrow::engine {

struct ContainerSeccomp {
  runtime::Seccomp spec;
  runtime::SeccompProgram program;
};

// Nothing for --privileged and seccomp=unconfined.
Result<std::optional<ContainerSeccomp>> container_seccomp(
    const StorePaths& paths, const HostProfile& host, const CreateOptions& options,
    const std::vector<std::string>& bounding_capabilities);

}  // namespace burrow::engine

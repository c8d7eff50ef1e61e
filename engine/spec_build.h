// Turns an image config and the user's create options into the OCI spec the
// runtime executes: pure, so it is unit-tested without privileges.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/container_options.h"
#include "engine/user_lookup.h"
#include "image/image_config.h"
#include "runtime/spec.h"

namespace burrow::engine {

struct SpecInputs {
  const image::ImageConfig* image = nullptr;
  const CreateOptions* options = nullptr;
  ResolvedUser user;
  std::string container_id;
  std::string container_name;
  std::string rootfs;        // the mounted rootfs
  std::string userdata_dir;  // holds hosts, resolv.conf, hostname
  bool rootless = false;
  bool tty_gid_mapped = true;
  // The network namespace to join (empty: a new one, or the host's).
  std::string netns_path;
  // The namespace is not owned by our user namespace (ns:PATH): sysfs
  // cannot be mounted for it, so the host's is bound.
  bool foreign_netns = false;
  std::vector<std::string> capabilities;    // from container_capabilities()
  std::optional<runtime::Seccomp> seccomp;  // nothing: unconfined
};

// The container's bounding set: Podman's defaults with --cap-add/--cap-drop,
// or everything this host can grant for --privileged.
Result<std::vector<std::string>> container_capabilities(const CreateOptions& options);

// The command: --entrypoint replaces the image's ENTRYPOINT and drops its
// CMD; arguments after the image replace CMD.
Result<std::vector<std::string>> container_command(const image::ImageConfig& image,
                                                   const CreateOptions& options);

// Podman's defaults, then the image's Env, then -e flags, last one wins.
std::vector<std::string> container_env(const image::ImageConfig& image,
                                       const CreateOptions& options, const ResolvedUser& user,
                                       const std::string& hostname);

std::string container_hostname(const CreateOptions& options, const std::string& container_id);

Result<runtime::Spec> build_spec(const SpecInputs& inputs);

}  // namespace burrow::engine

// Image references ("[domain[:port]/]path[:tag][@sha256:hex]") as the docker
// reference grammar defines them, with Podman's short-name rules: a name
// without a domain stays a short name; it is qualified only when a caller
// says with which domain.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace burrow::image {

inline constexpr std::string_view kDockerDomain = "docker.io";
inline constexpr std::string_view kLocalDomain = "localhost";
inline constexpr std::string_view kDefaultTag = "latest";

struct Reference {
  std::string domain;  // "" for a short name; may carry a port, "registry:5000"
  std::string path;    // lower-case components joined by '/', "library/alpine"
  std::string tag;     // "latest" when neither tag nor digest was given
  std::string digest;  // "sha256:<hex>" or ""

  bool is_short_name() const { return domain.empty(); }
  // "[domain/]path", without tag or digest.
  std::string name() const;
  // "[domain/]path[:tag][@digest]"; for qualified references this is the full
  // form Podman prints, "docker.io/library/alpine:latest".
  std::string to_string() const;
  // A copy with `default_domain` filled in when the reference is short; for
  // docker.io a one-component path gains "library/".
  Reference qualified(std::string_view default_domain) const;

  bool operator==(const Reference&) const = default;
};

// Parses `text` as the user wrote it. "docker.io/alpine" becomes
// docker.io/library/alpine and "index.docker.io" becomes docker.io; a short
// name keeps an empty domain. Errors read "invalid reference format: ...".
base::Result<Reference> parse_reference(std::string_view text);

// Parses and qualifies short names with docker.io, as Podman does for the
// RepoTags of a docker-archive: "busybox" -> docker.io/library/busybox:latest.
base::Result<Reference> parse_normalized_reference(std::string_view text);

// Names to try first, in order, when looking `user_input` up in local storage:
// for a short name "busybox:1.0", localhost/busybox:1.0 then
// docker.io/library/busybox:1.0; for a qualified name, just itself. Empty when
// the input is not a valid reference. Short names may also match other
// registries' images; see short_name_matches.
std::vector<std::string> local_candidates(const std::string& user_input);

// True when the stored full name (e.g. "quay.io/foo/busybox:1.0") ends in the
// short reference's path component-wise ("/busybox", not "/mybusybox") and has
// the same tag. A short reference with a digest matches only a stored name
// with that digest; the engine compares image digests itself.
bool short_name_matches(const Reference& short_ref, const std::string& stored_full_name);

// Image ID or a prefix of one: 3 to 64 lower-case hex digits, optionally
// after "sha256:".
bool looks_like_id_prefix(std::string_view text);

}  // namespace burrow::image

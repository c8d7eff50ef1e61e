// The signature verification policy, policy.json (containers-policy.json(5)):
// which images pull accepts, per registry scope, and whose signatures they
// must carry. Runs in the CLI process.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "image/reference.h"

namespace burrow::registry {

// What a signedBy signature must claim about the image ("signedIdentity").
struct SignedIdentity {
  enum class Kind {
    kMatchRepoDigestOrExact,  // the default: exact for tags, same repository for digests
    kMatchExact,
    kMatchRepository,
    kExactReference,   // the signature names `reference`
    kExactRepository,  // the signature names something in repository `reference`
    kRemapIdentity,    // `prefix` becomes `signed_prefix`, then kMatchRepoDigestOrExact
  };
  Kind kind = Kind::kMatchRepoDigestOrExact;
  std::string reference;  // dockerReference / dockerRepository, in the fully expanded form
  std::string prefix;
  std::string signed_prefix;
};

struct PolicyRequirement {
  enum class Kind { kInsecureAcceptAnything, kReject, kSignedBy, kSigstoreSigned };
  Kind kind = Kind::kReject;
  // signedBy with keyType GPGKeys: keyPath / keyPaths, read when the image is
  // checked, and keyData already decoded from base64 (a binary or armored keyring).
  std::vector<std::string> key_files;
  std::vector<std::string> key_data;
  SignedIdentity signed_identity;
};

// All of them must be satisfied; never empty once parsed.
using PolicyRequirements = std::vector<PolicyRequirement>;

struct TrustPolicy {
  std::string source;  // the file it came from, for messages
  PolicyRequirements default_requirements;
  // transport ("docker", "docker-archive", ...) -> scope ("" for the transport's default).
  std::map<std::string, std::map<std::string, PolicyRequirements>> transports;
};

// `path_flag` (--signature-policy) when given; else $XDG_CONFIG_HOME (or
// ~/.config)/containers/policy.json when it exists, else
// /etc/containers/policy.json, as containers/image looks them up for root
// and rootless alike. With neither file, pulling is refused as Podman does.
base::Result<TrustPolicy> load_trust_policy(const std::optional<std::string>& path_flag);
// Strict as the man page asks: unknown, duplicated or missing fields are
// errors naming `source` and the field.
base::Result<TrustPolicy> parse_trust_policy(std::string_view json, std::string_view source);

// "$XDG_CONFIG_HOME/containers/<file>", else "$HOME/.config/containers/<file>":
// the per-user location of the containers config files; "" when neither is set.
std::string user_containers_config(std::string_view file);

// The docker transport's scopes for `ref` (qualified), most specific first:
// the image itself ("host/ns/repo@digest", else ":tag"), "host/ns/repo",
// "host/ns", "host", then "*.domain" wildcards (without the port). The
// lookaside configuration (registries.d) searches the same list.
std::vector<std::string> docker_scopes(const image::Reference& ref);

// The requirements for `ref` from the most specific matching docker scope,
// else the docker transport's "" default, else the policy's default.
const PolicyRequirements& docker_requirements(const TrustPolicy& policy,
                                              const image::Reference& ref);

// The raw signature blobs stored for the image (registry or lookaside).
using SignatureFetcher = std::function<base::Result<std::vector<std::string>>()>;

// Ok when the policy allows `ref` (qualified, as pulled; when it has both a
// tag and a digest the digest identifies it) whose top-level manifest has
// `manifest_digest`. Otherwise an Error "Source image rejected: <why>".
// `fetch_signatures` is called at most once, and only for signedBy; an
// empty one means the image has no signatures.
base::Status check_image_allowed(const TrustPolicy& policy, const image::Reference& ref,
                                 std::string_view manifest_digest,
                                 const SignatureFetcher& fetch_signatures);

// Whether a requirement for `ref` needs signatures, so pull fetches them only then.
bool needs_signatures(const TrustPolicy& policy, const image::Reference& ref);

// Whether a signature claiming `signed_reference` (as written in its payload)
// satisfies `identity` for the image `ref`; the Error says why not.
base::Status check_signed_identity(const SignedIdentity& identity, const image::Reference& ref,
                                   std::string_view signed_reference);

}  // namespace burrow::registry

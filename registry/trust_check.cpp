// Whether policy.json allows an image: the requirements of its most specific
// scope, in order; signedBy signatures verified by signature.cpp and their
// claims matched against the image here. Runs in the CLI process, during pull.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "base/strings.h"
#include "registry/signature.h"
#include "registry/trust_policy.h"

namespace burrow::registry {
namespace {

using Kind = PolicyRequirement::Kind;
using IdentityKind = SignedIdentity::Kind;

// What the image is checked as: by digest when the reference has one, as
// containers/image has no references with both a tag and a digest.
image::Reference image_identity(const image::Reference& ref) {
  image::Reference identity = ref;
  if (!identity.digest.empty()) identity.tag.clear();
  return identity;
}

// A tagged image needs a signature for exactly that tag; a digest reference
// one for its repository, as the digest itself is checked against the manifest.
bool repo_digest_or_exact(const image::Reference& image, const image::Reference& signed_ref) {
  if (image.digest.empty()) return image.to_string() == signed_ref.to_string();
  return image.name() == signed_ref.name();
}

// remapIdentity: `prefix` matches whole components ("host", "host/ns",
// "host/ns/repo"); a host-only prefix never matches the same host with a port.
std::optional<std::string> remap(const std::string& identity, const std::string& prefix,
                                 const std::string& signed_prefix) {
  if (!base::starts_with(identity, prefix) || identity.size() == prefix.size()) return std::nullopt;
  char next = identity[prefix.size()];
  bool host_only = prefix.find('/') == std::string::npos;
  if (next != '/' && (host_only || (next != ':' && next != '@'))) return std::nullopt;
  return signed_prefix + identity.substr(prefix.size());
}

// A payload may name a bare repository; parse_normalized_reference would add
// ":latest", which matchExact must not see.
Result<image::Reference> parse_signed_reference(std::string_view text) {
  auto ref = image::parse_normalized_reference(text);
  if (!ref) return base::failf(EPERM, "Signature has an invalid docker-reference \"{}\"", text);
  size_t slash = text.rfind('/');
  size_t colon = text.rfind(':');
  bool has_tag =
      colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash);
  if (!has_tag && text.find('@') == std::string_view::npos) ref->tag.clear();
  return ref;
}

bool identity_accepted(const SignedIdentity& identity, const image::Reference& image,
                       const image::Reference& signed_ref) {
  switch (identity.kind) {
    case IdentityKind::kMatchExact:
      return image.to_string() == signed_ref.to_string();
    case IdentityKind::kMatchRepoDigestOrExact:
      return repo_digest_or_exact(image, signed_ref);
    case IdentityKind::kMatchRepository:
      return image.name() == signed_ref.name();
    case IdentityKind::kExactReference:
      return signed_ref.to_string() == identity.reference;
    case IdentityKind::kExactRepository:
      return signed_ref.name() == identity.reference;
    case IdentityKind::kRemapIdentity: {
      auto remapped = remap(image.to_string(), identity.prefix, identity.signed_prefix);
      if (!remapped) return repo_digest_or_exact(image, signed_ref);
      auto remapped_ref = image::parse_reference(*remapped);
      return remapped_ref && repo_digest_or_exact(image_identity(*remapped_ref), signed_ref);
    }
  }
  return false;
}

Status check_one_signature(const PolicyRequirement& requirement, const image::Reference& ref,
                           std::string_view manifest_digest, const std::string& signature) {
  BURROW_TRY(SignedPayload payload,
             verify_signature(signature, requirement.key_files, requirement.key_data));
  if (payload.docker_manifest_digest != manifest_digest) {
    return base::failf(EPERM,
                       "Signature for docker-manifest-digest {} does not match the image ({})",
                       payload.docker_manifest_digest, manifest_digest);
  }
  return check_signed_identity(requirement.signed_identity, ref, payload.docker_reference);
}

// At least one signature must pass; when none does, every reason is given.
Status check_signed_by(const PolicyRequirement& requirement, const image::Reference& ref,
                       std::string_view manifest_digest,
                       const std::vector<std::string>& signatures) {
  if (signatures.empty())
    return base::fail(EPERM, "A signature was required, but no signature exists");
  std::vector<std::string> reasons;
  for (const std::string& signature : signatures) {
    auto accepted = check_one_signature(requirement, ref, manifest_digest, signature);
    if (accepted) return base::ok();
    reasons.push_back(accepted.error().message);
  }
  if (reasons.size() == 1) return base::fail(EPERM, reasons.front());
  return base::failf(EPERM, "None of the signatures were accepted, reasons: {}",
                     base::join(reasons, "; "));
}

tl::unexpected<Error> rejected(const Error& error) {
  return tl::unexpected(error.with_context("Source image rejected"));
}

tl::unexpected<Error> rejected(int code, const std::string& why) {
  return rejected(base::fail(code, why).value());
}

}  // namespace

Status check_signed_identity(const SignedIdentity& identity, const image::Reference& ref,
                             std::string_view signed_reference) {
  BURROW_TRY(image::Reference signed_ref, parse_signed_reference(signed_reference));
  if (identity_accepted(identity, image_identity(ref), signed_ref)) return base::ok();
  return base::failf(EPERM, "Signature for identity {} is not accepted for {}", signed_reference,
                     image_identity(ref).to_string());
}

Status check_image_allowed(const TrustPolicy& policy, const image::Reference& ref,
                           std::string_view manifest_digest,
                           const SignatureFetcher& fetch_signatures) {
  std::optional<std::vector<std::string>> signatures;
  for (const PolicyRequirement& requirement : docker_requirements(policy, ref)) {
    switch (requirement.kind) {
      case Kind::kInsecureAcceptAnything:
        break;
      case Kind::kReject:
        return rejected(EPERM, fmt::format("Running image docker://{} is rejected by policy {}",
                                           ref.to_string(), policy.source));
      case Kind::kSigstoreSigned:
        return rejected(ENOTSUP,
                        fmt::format("sigstoreSigned is not supported (policy {})", policy.source));
      case Kind::kSignedBy: {
        if (!signatures && !fetch_signatures) signatures.emplace();  // no source: none exist
        if (!signatures) {
          auto fetched = fetch_signatures();
          if (!fetched) {
            return tl::unexpected(fetched.error().with_context(
                fmt::format("reading the signatures of {}", ref.to_string())));
          }
          signatures = std::move(*fetched);
        }
        auto accepted = check_signed_by(requirement, ref, manifest_digest, *signatures);
        if (!accepted) return rejected(accepted.error());
        break;
      }
    }
  }
  return base::ok();
}

std::vector<std::string> docker_scopes(const image::Reference& ref) {
  std::vector<std::string> scopes;
  if (!ref.digest.empty()) scopes.push_back(ref.name() + "@" + ref.digest);
  if (!ref.tag.empty()) scopes.push_back(ref.name() + ":" + ref.tag);
  for (std::string name = ref.name();; name.resize(name.rfind('/'))) {
    scopes.push_back(name);
    if (name.find('/') == std::string::npos) break;
  }
  // Wildcards match the host without its port: "*.example.com" covers
  // "a.example.com:5000" but never "example.com" itself.
  std::string host = ref.domain;
  if (size_t colon = host.rfind(':');
      colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    host.resize(colon);
  }
  for (size_t dot = host.find('.'); dot != std::string::npos; dot = host.find('.', dot + 1))
    scopes.push_back("*." + host.substr(dot + 1));
  return scopes;
}

const PolicyRequirements& docker_requirements(const TrustPolicy& policy,
                                              const image::Reference& ref) {
  auto transport = policy.transports.find("docker");
  if (transport == policy.transports.end()) return policy.default_requirements;
  const auto& scopes = transport->second;
  for (const std::string& scope : docker_scopes(ref)) {
    if (auto found = scopes.find(scope); found != scopes.end()) return found->second;
  }
  if (auto fallback = scopes.find(""); fallback != scopes.end()) return fallback->second;
  return policy.default_requirements;
}

bool needs_signatures(const TrustPolicy& policy, const image::Reference& ref) {
  const PolicyRequirements& requirements = docker_requirements(policy, ref);
  return std::any_of(requirements.begin(), requirements.end(),
                     [](const PolicyRequirement& r) { return r.kind == Kind::kSignedBy; });
}

}  // namespace burrow::registry

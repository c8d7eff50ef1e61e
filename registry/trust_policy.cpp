// policy.json: finding and parsing it, strictly as containers-policy.json(5)
// asks. Scope lookup and the checks themselves are in trust_check.cpp.
#include "registry/trust_policy.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>

#include "base/base64.h"
#include "base/file_util.h"
#include "base/strings.h"
#include "registry/strict_json.h"

namespace burrow::registry {
namespace {

using strict_json::Json;
using strict_json::only_fields;
using strict_json::string_field;
using Kind = PolicyRequirement::Kind;
using IdentityKind = SignedIdentity::Kind;

constexpr std::string_view kSystemPolicy = "/etc/containers/policy.json";
constexpr size_t kMaxPolicySize = 4 << 20;

bool has_tag_or_digest(std::string_view name) {
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  return name.find('@') != std::string_view::npos ||
         (slash != std::string_view::npos && colon != std::string_view::npos && colon > slash);
}

bool is_registry_host(std::string_view text) {
  auto ref = image::parse_reference(fmt::format("{}/x", text));
  return ref && ref->domain == text;
}

// Scopes and prefixes must be written fully expanded: "docker.io/library/busybox",
// not "busybox" nor "docker.io/busybox"; the error says which form to use.
Status check_expanded(std::string_view text, bool allow_tag, std::string_view where) {
  if (text.find('/') == std::string_view::npos) {
    if (is_registry_host(text)) return base::ok();
    return base::failf(EINVAL, "{}: \"{}\" is not a registry host name", where, text);
  }
  auto ref = image::parse_reference(text);
  if (!ref || ref->is_short_name())
    return base::failf(EINVAL, "{}: \"{}\" is not a fully qualified image name", where, text);
  bool tagged = has_tag_or_digest(text);
  if (tagged && !allow_tag)
    return base::failf(EINVAL, "{}: \"{}\" must not have a tag or digest", where, text);
  std::string canonical = tagged ? ref->to_string() : ref->name();
  if (canonical != text)
    return base::failf(EINVAL, "{}: write \"{}\" in its fully expanded form, \"{}\"", where, text,
                       canonical);
  return base::ok();
}

Status check_docker_scope(std::string_view scope, std::string_view where) {
  if (scope.empty()) return base::ok();
  if (base::starts_with(scope, "*.")) {
    if (is_registry_host(scope.substr(2)) && scope.find_first_of("*:", 2) == std::string::npos)
      return base::ok();
    return base::failf(EINVAL, "{}: invalid wildcard scope \"{}\" (use \"*.example.com\")", where,
                       scope);
  }
  return check_expanded(scope, /*allow_tag=*/true, where);
}

Result<std::string> reference_field(const Json& object, std::string_view key, bool tagged,
                                    std::string_view where) {
  BURROW_TRY(std::string text, string_field(object, key, where, true));
  auto ref = image::parse_normalized_reference(text);
  if (!ref) return base::failf(EINVAL, "{}: {}: {}", where, key, ref.error().message);
  if (has_tag_or_digest(text) != tagged)
    return base::failf(EINVAL, "{}: {} \"{}\" {}", where, key, text,
                       tagged ? "needs a tag or digest" : "must not have a tag or digest");
  return tagged ? ref->to_string() : ref->name();
}

Result<SignedIdentity> parse_signed_identity(const Json& object, const std::string& where) {
  if (!object.is_object()) return base::failf(EINVAL, "{}: must be a JSON object", where);
  BURROW_TRY(std::string type, string_field(object, "type", where, true));
  SignedIdentity identity;
  if (type == "exactReference") {
    identity.kind = IdentityKind::kExactReference;
    BURROW_CHECK(only_fields(object, {"type", "dockerReference"}, where));
    BURROW_TRY(identity.reference, reference_field(object, "dockerReference", true, where));
  } else if (type == "exactRepository") {
    identity.kind = IdentityKind::kExactRepository;
    BURROW_CHECK(only_fields(object, {"type", "dockerRepository"}, where));
    BURROW_TRY(identity.reference, reference_field(object, "dockerRepository", false, where));
  } else if (type == "remapIdentity") {
    identity.kind = IdentityKind::kRemapIdentity;
    BURROW_CHECK(only_fields(object, {"type", "prefix", "signedPrefix"}, where));
    BURROW_TRY(identity.prefix, string_field(object, "prefix", where, true));
    BURROW_TRY(identity.signed_prefix, string_field(object, "signedPrefix", where, true));
    BURROW_CHECK(check_expanded(identity.prefix, false, where + ".prefix"));
    BURROW_CHECK(check_expanded(identity.signed_prefix, false, where + ".signedPrefix"));
  } else {
    if (type == "matchExact") {
      identity.kind = IdentityKind::kMatchExact;
    } else if (type == "matchRepository") {
      identity.kind = IdentityKind::kMatchRepository;
    } else if (type != "matchRepoDigestOrExact") {
      return base::failf(EINVAL, "{}: unknown signedIdentity type \"{}\"", where, type);
    }
    BURROW_CHECK(only_fields(object, {"type"}, where));
  }
  return identity;
}

Status parse_gpg_keys(const Json& object, const std::string& where, PolicyRequirement& out) {
  int sources =
      object.contains("keyPath") + object.contains("keyPaths") + object.contains("keyData");
  if (sources != 1)
    return base::failf(EINVAL, "{}: exactly one of keyPath, keyPaths and keyData is required",
                       where);
  if (object.contains("keyPaths")) {
    const Json& paths = object["keyPaths"];
    if (!paths.is_array() || paths.empty())
      return base::failf(EINVAL, "{}: keyPaths must be a non-empty array of strings", where);
    for (const Json& path : paths) {
      if (!path.is_string())
        return base::failf(EINVAL, "{}: keyPaths must be a non-empty array of strings", where);
      out.key_files.push_back(path.get<std::string>());
    }
    return base::ok();
  }
  if (object.contains("keyPath")) {
    BURROW_TRY(std::string path, string_field(object, "keyPath", where, true));
    out.key_files.push_back(std::move(path));
    return base::ok();
  }
  BURROW_TRY(std::string encoded, string_field(object, "keyData", where, true));
  std::optional<std::string> keyring = base::base64_decode(encoded);
  if (!keyring) return base::failf(EINVAL, "{}: keyData is not valid base64", where);
  out.key_data.push_back(std::move(*keyring));
  return base::ok();
}

Result<PolicyRequirement> parse_signed_by(const Json& object, const std::string& where) {
  BURROW_CHECK(only_fields(
      object, {"type", "keyType", "keyPath", "keyPaths", "keyData", "signedIdentity"}, where));
  BURROW_TRY(std::string key_type, string_field(object, "keyType", where, true));
  if (key_type != "GPGKeys")
    return base::failf(EINVAL, "{}: keyType \"{}\" is not supported (use \"GPGKeys\")", where,
                       key_type);
  PolicyRequirement requirement;
  requirement.kind = Kind::kSignedBy;
  BURROW_CHECK(parse_gpg_keys(object, where, requirement));
  if (object.contains("signedIdentity")) {
    BURROW_TRY(requirement.signed_identity,
               parse_signed_identity(object["signedIdentity"], where + ".signedIdentity"));
  }
  return requirement;
}

Result<PolicyRequirement> parse_requirement(const Json& object, const std::string& where) {
  if (!object.is_object()) return base::failf(EINVAL, "{}: must be a JSON object", where);
  BURROW_TRY(std::string type, string_field(object, "type", where, true));
  if (type == "signedBy") return parse_signed_by(object, where);
  // sigstoreSigned is accepted here so that a policy using it elsewhere still
  // loads; check_image_allowed refuses images it applies to.
  PolicyRequirement requirement;
  if (type == "sigstoreSigned") {
    requirement.kind = Kind::kSigstoreSigned;
    return requirement;
  }
  if (type == "insecureAcceptAnything") {
    requirement.kind = Kind::kInsecureAcceptAnything;
  } else if (type != "reject") {
    return base::failf(EINVAL, "{}: unknown requirement type \"{}\"", where, type);
  }
  BURROW_CHECK(only_fields(object, {"type"}, where));
  return requirement;
}

Result<PolicyRequirements> parse_requirements(const Json& array, const std::string& where) {
  if (!array.is_array() || array.empty())
    return base::failf(EINVAL,
                       "{}: must be a non-empty array of requirements (to accept anything, write "
                       "[{{\"type\": \"insecureAcceptAnything\"}}])",
                       where);
  PolicyRequirements out;
  for (size_t i = 0; i < array.size(); ++i) {
    BURROW_TRY(auto requirement, parse_requirement(array[i], fmt::format("{}[{}]", where, i)));
    out.push_back(std::move(requirement));
  }
  return out;
}

Result<TrustPolicy> parse_policy_document(std::string_view json) {
  BURROW_TRY(Json doc, strict_json::parse_object(json));
  BURROW_CHECK(only_fields(doc, {"default", "transports"}, "policy"));
  if (!doc.contains("default")) return base::fail(EINVAL, "the \"default\" field is missing");
  TrustPolicy policy;
  BURROW_TRY(policy.default_requirements, parse_requirements(doc["default"], "default"));
  if (!doc.contains("transports")) return policy;
  if (!doc["transports"].is_object())
    return base::fail(EINVAL, "transports: must be a JSON object");
  for (const auto& [transport, scopes] : doc["transports"].items()) {
    std::string transport_where = fmt::format("transports[\"{}\"]", transport);
    if (!scopes.is_object())
      return base::failf(EINVAL, "{}: must be a JSON object of scopes", transport_where);
    auto& parsed_scopes = policy.transports[transport];
    for (const auto& [scope, requirements] : scopes.items()) {
      std::string where = fmt::format("{}[\"{}\"]", transport_where, scope);
      if (transport == "docker") {
        BURROW_CHECK(check_docker_scope(scope, where));
      }
      BURROW_TRY(parsed_scopes[scope], parse_requirements(requirements, where));
    }
  }
  return policy;
}

}  // namespace

std::string user_containers_config(std::string_view file) {
  const char* config_home = std::getenv("XDG_CONFIG_HOME");
  if (config_home && *config_home == '/')
    return base::path_join(base::path_join(config_home, "containers"), file);
  const char* home = std::getenv("HOME");
  if (home && *home) return base::path_join(base::path_join(home, ".config/containers"), file);
  return "";
}

Result<TrustPolicy> parse_trust_policy(std::string_view json, std::string_view source) {
  auto policy = parse_policy_document(json);
  if (!policy) {
    return tl::unexpected(
        policy.error().with_context(fmt::format("invalid signature policy {}", source)));
  }
  policy->source = std::string(source);
  return policy;
}

Result<TrustPolicy> load_trust_policy(const std::optional<std::string>& path_flag) {
  std::string path = path_flag.value_or("");
  if (path.empty()) {
    std::string user = user_containers_config("policy.json");
    path = !user.empty() && base::path_exists(user) ? user : std::string(kSystemPolicy);
    if (!base::path_exists(path)) {
      return base::failf(ENOENT,
                         "no policy.json file found at any of the following: {}{} (create one; "
                         "{{\"default\": [{{\"type\": \"insecureAcceptAnything\"}}]}} accepts "
                         "every image)",
                         user.empty() ? "" : user + ", ", kSystemPolicy);
    }
  }
  auto text = base::read_file_limited(path, kMaxPolicySize);
  if (!text) return tl::unexpected(text.error().with_context("reading the signature policy"));
  return parse_trust_policy(*text, path);
}

}  // namespace burrow::registry

// The JSON payload of a simple-signing signature (containers-signature(5)).
// Parsed only after gpg has verified it, yet still strictly: a consumer must
// refuse "critical" content it does not understand.
#include <cerrno>

#include "registry/signature.h"
#include "registry/strict_json.h"

#ifndef BURROW_VERSION
#define BURROW_VERSION "unknown"
#endif

namespace burrow::registry {
namespace {

using strict_json::Json;

constexpr std::string_view kSignatureType = "atomic container signature";

// The single string member of a critical sub-object such as
// {"docker-manifest-digest": "sha256:..."}.
Result<std::string> only_string(const Json& critical, std::string_view section,
                                std::string_view key) {
  std::string where = fmt::format("critical.{}", section);
  auto found = critical.find(section);
  if (found == critical.end() || !found->is_object())
    return base::failf(EINVAL, "{}: must be a JSON object", where);
  BURROW_CHECK(strict_json::only_fields(*found, {key}, where));
  return strict_json::string_field(*found, key, where, true);
}

Result<SignedPayload> parse_payload(std::string_view json) {
  BURROW_TRY(Json doc, strict_json::parse_object(json));
  BURROW_CHECK(strict_json::only_fields(doc, {"critical", "optional"}, "payload"));
  auto critical = doc.find("critical");
  if (critical == doc.end() || !critical->is_object())
    return base::fail(EINVAL, "critical: must be a JSON object");
  BURROW_CHECK(strict_json::only_fields(*critical, {"type", "image", "identity"}, "critical"));
  BURROW_TRY(std::string type, strict_json::string_field(*critical, "type", "critical", true));
  if (type != kSignatureType)
    return base::failf(EINVAL, "critical.type is \"{}\", not \"{}\"", type, kSignatureType);
  SignedPayload payload;
  BURROW_TRY(payload.docker_manifest_digest,
             only_string(*critical, "image", "docker-manifest-digest"));
  BURROW_TRY(payload.docker_reference, only_string(*critical, "identity", "docker-reference"));
  // "optional" is informational (creator, timestamp); only its shape is checked.
  if (auto optional = doc.find("optional"); optional != doc.end() && !optional->is_object())
    return base::fail(EINVAL, "optional: must be a JSON object");
  return payload;
}

}  // namespace

std::string make_signature_payload(std::string_view manifest_digest,
                                   std::string_view docker_reference, int64_t timestamp) {
  Json critical = {
      {"type", std::string(kSignatureType)},
      {"image", {{"docker-manifest-digest", std::string(manifest_digest)}}},
      {"identity", {{"docker-reference", std::string(docker_reference)}}},
  };
  Json optional = {{"creator", "burrow " BURROW_VERSION}, {"timestamp", timestamp}};
  return Json{{"critical", critical}, {"optional", optional}}.dump();
}

Result<SignedPayload> parse_signature_payload(std::string_view json) {
  auto payload = parse_payload(json);
  if (!payload) {
    return base::failf(EPERM, "Invalid signature payload: {}", payload.error().message);
  }
  return payload;
}

}  // namespace burrow::registry

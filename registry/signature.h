// "Simple signing" image signatures (containers-signature(5)): an OpenPGP
// signed message whose payload is a small JSON document naming the manifest
// digest and the image's docker reference. Verified and made with gpgme, which
// runs gpg; this is the only file that uses gpgme. Runs in the CLI process.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace burrow::registry {

// What a verified signature claims.
struct SignedPayload {
  std::string docker_manifest_digest;  // "sha256:<hex>"
  std::string docker_reference;        // as written, e.g. "docker.io/library/busybox:latest"
  std::string signer_fingerprint;      // of the (sub)key that made the signature
};

// Verifies one signature (binary or armored) against the public keys in
// `key_files` (keyrings, binary or armored) and `key_data` (keyring bytes,
// already decoded from policy.json's base64), then parses its payload. gpg
// runs with a private temporary GNUPGHOME, removed afterwards, so the user's
// keyring is neither trusted nor touched. Errors read as the reason the
// signature is not accepted ("Invalid GPG signature: ...").
base::Result<SignedPayload> verify_signature(std::string_view signature,
                                             const std::vector<std::string>& key_files,
                                             const std::vector<std::string>& key_data);

// Signs the payload for `manifest_digest` and `docker_reference` with the
// secret key `key_id` (fingerprint, key id or user id) from the user's keyring
// ($GNUPGHOME or ~/.gnupg); gpg-agent asks for a passphrase when the key has one.
// Returns the binary OpenPGP message, as push --sign-by stores it.
base::Result<std::string> create_signature(std::string_view manifest_digest,
                                           std::string_view docker_reference,
                                           std::string_view key_id);

// The JSON payload itself, exposed for tests: the "critical" section
// (type "atomic container signature", image, identity) and "optional"
// (creator "burrow VERSION", timestamp in Unix seconds).
std::string make_signature_payload(std::string_view manifest_digest,
                                   std::string_view docker_reference, int64_t timestamp);
// Strict, as containers-signature(5) asks: unknown or duplicated fields in
// "critical" and a wrong type are errors; unknown "optional" fields are not.
base::Result<SignedPayload> parse_signature_payload(std::string_view json);

}  // namespace burrow::registry

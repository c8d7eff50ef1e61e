// What pull, push, login and search share: the user's registry options and
// a connected client for one repository, with credentials from --creds or
// auth.json, certificates from certs.d, and TLS as --tls-verify or
// registries.conf say.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "image/reference.h"
#include "registry/distribution_client.h"
#include "registry/registries_conf.h"

namespace burrow::engine {

struct RegistryOptions {
  std::optional<std::string> authfile;               // --authfile
  std::optional<std::string> cert_dir;               // --cert-dir
  std::optional<bool> tls_verify;                    // --tls-verify; unset: registries.conf decides
  std::optional<registry::Credentials> credentials;  // --creds
};

// "user:password" or "user" (then the password is empty), as --creds takes it.
base::Result<registry::Credentials> parse_credentials(std::string_view text);

// Connects to `ref`'s registry for its repository. `insecure` is what
// registries.conf says about this source; --tls-verify overrides it.
base::Result<std::unique_ptr<registry::DistributionClient>> connect_to_repository(
    const RegistryOptions& options, const image::Reference& ref, bool insecure,
    registry::Access access);

}  // namespace burrow::engine

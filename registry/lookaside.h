// Lookaside signature storage configured in registries.d
// (containers-registries.d(5)): simple-signing signatures kept beside a
// registry, at "<base>/<repository path>@<algorithm>=<hex>/signature-<n>".
// Runs in the CLI process (pull reads signatures, push --sign-by writes one).
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

// One configuration section ("default-docker" or one "docker" scope).
// The old key names sigstore / sigstore-staging fill the same fields.
struct LookasideSection {
  std::string lookaside;          // read, and written when there is no staging URL
  std::string lookaside_staging;  // written (push --sign-by)
  std::string origin;             // the file that defined it, for messages
};

struct LookasideConfig {
  std::optional<LookasideSection> default_docker;
  std::map<std::string, LookasideSection> docker;  // scope -> section
  // Used when no section gives a URL. containers/image falls back to a
  // built-in file:///var/lib/containers/sigstore (root) or
  // file://$HOME/.local/share/containers/sigstore (rootless); the caller,
  // which knows the mode, may set that here. Empty: no lookaside then.
  std::string builtin_default;
};

// The directory read: `dir_flag` (--registries.d) when given; else
// $XDG_CONFIG_HOME (or ~/.config)/containers/registries.d when it exists,
// else /etc/containers/registries.d.
std::string lookaside_config_dir(const std::optional<std::string>& dir_flag);
// Every *.yaml file in that directory, in name order; a missing directory is
// an empty configuration. A scope, or default-docker, defined twice (even in
// two files) is an error naming both files.
base::Result<LookasideConfig> load_lookaside_config(const std::optional<std::string>& dir_flag);
// load_lookaside_config with Podman's built-in default filled in for the user
// as the host sees them: file:///var/lib/containers/sigstore for root,
// file://$XDG_DATA_HOME/containers/sigstore (~/.local/share/...) otherwise.
base::Result<LookasideConfig> load_lookaside_config_with_default(
    const std::optional<std::string>& dir_flag);
// Adds one file's sections to `config`; `origin` names it in errors.
base::Status merge_lookaside_yaml(std::string_view yaml, std::string_view origin,
                                  LookasideConfig& config);

// The URL of signature `index` (from 1) of the image whose manifest has
// `manifest_digest`: from the most specific docker scope that gives one
// (the same scopes as policy.json's, see docker_scopes), else default-docker,
// else builtin_default. With `for_write` the staging URL is preferred.
// Empty when no lookaside applies or the digest is malformed.
std::optional<std::string> signature_url(const LookasideConfig& config, const image::Reference& ref,
                                         std::string_view manifest_digest, int index,
                                         bool for_write);

// Fetches an http(s) URL for read_lookaside_signatures: the body, nullopt
// when the server says it does not exist (404), else an Error. Supplied by
// the registry HTTP client, which knows about certificates and proxies.
using LookasideFetcher =
    std::function<base::Result<std::optional<std::string>>(const std::string& url)>;

// Signatures 1, 2, ... until one is missing (at most 128, each at most 4 MiB).
// file:// URLs are read here, http(s) through `fetch_remote` (an error when it
// is empty). No configured lookaside: no signatures.
base::Result<std::vector<std::string>> read_lookaside_signatures(
    const LookasideConfig& config, const image::Reference& ref, std::string_view manifest_digest,
    const LookasideFetcher& fetch_remote);

// Stores `signature` as the first free signature-<n> at the staging location
// (file:// only: a web server cannot be written to). The file appears
// complete or not at all, and concurrent writers never overwrite one
// another. Returns the path written.
base::Result<std::string> store_lookaside_signature(const LookasideConfig& config,
                                                    const image::Reference& ref,
                                                    std::string_view manifest_digest,
                                                    std::string_view signature);

}  // namespace burrow::registry

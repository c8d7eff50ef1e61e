#include "engine/pull_trust.h"

#include "registry/distribution_client.h"
#include "registry/lookaside.h"
#include "registry/trust_policy.h"

namespace burrow::engine {
namespace {

// An http(s) lookaside is read with the same TLS rules as the registry.
registry::LookasideFetcher remote_fetcher() {
  return [](const std::string& url) -> base::Result<std::optional<std::string>> {
    BURROW_TRY(auto http, registry::HttpClient::create(registry::TlsConfig{}));
    BURROW_TRY(auto response, http.perform(registry::http_request("GET", url)));
    if (response.status == 404) return std::nullopt;
    if (response.status < 200 || response.status >= 300)
      return base::failf(EIO, "reading signature {}: {}", url,
                         registry::describe_failure(response));
    return std::optional<std::string>(std::move(response.body));
  };
}

}  // namespace

base::Status check_pull_trust(const PullSettings& settings, const image::Reference& name,
                              std::string_view manifest_digest) {
  BURROW_TRY(auto policy, registry::load_trust_policy(settings.signature_policy));
  if (!registry::needs_signatures(policy, name))
    return registry::check_image_allowed(policy, name, manifest_digest, {});
  BURROW_TRY(auto lookaside, registry::load_lookaside_config_with_default(std::nullopt));
  auto fetch = [&]() {
    return registry::read_lookaside_signatures(lookaside, name, manifest_digest, remote_fetcher());
  };
  return registry::check_image_allowed(policy, name, manifest_digest, fetch);
}

}  // namespace burrow::engine

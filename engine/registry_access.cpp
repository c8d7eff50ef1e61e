#include "engine/registry_access.h"

#include "registry/auth_file.h"
#include "registry/certs_dir.h"

namespace burrow::engine {

base::Result<registry::Credentials> parse_credentials(std::string_view text) {
  if (text.empty() || text.front() == ':')
    return base::fail(EINVAL, "--creds needs a user name: --creds USER[:PASSWORD]");
  registry::Credentials login;
  auto colon = text.find(':');
  login.username = std::string(text.substr(0, colon));
  if (colon != std::string_view::npos) login.password = std::string(text.substr(colon + 1));
  return login;
}

base::Result<std::unique_ptr<registry::DistributionClient>> connect_to_repository(
    const RegistryOptions& options, const image::Reference& ref, bool insecure,
    registry::Access access) {
  registry::RegistryEndpoint endpoint;
  endpoint.host = ref.domain;
  endpoint.insecure = options.tls_verify ? !*options.tls_verify : insecure;
  BURROW_TRY(auto tls_files, registry::tls_files_for(ref.domain, options.cert_dir));
  endpoint.tls.ca_files = tls_files.ca_files;
  endpoint.tls.client_cert = tls_files.client_cert;
  endpoint.tls.client_key = tls_files.client_key;
  std::optional<registry::Credentials> login = options.credentials;
  if (!login) {
    std::string auth_path = registry::auth_file_path(options.authfile);
    BURROW_TRY(auto stored,
               registry::find_credentials(auth_path, ref.name(), !options.authfile.has_value()));
    login = std::move(stored);
  }
  return registry::DistributionClient::connect(endpoint, ref.path, access, std::move(login));
}

}  // namespace burrow::engine

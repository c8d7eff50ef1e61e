// Per-registry TLS files (containers-certs.d(5)): CA certificates and a client
// certificate/key pair kept in a directory named after the registry's
// host[:port].
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace burrow::registry {

struct TlsFiles {
  std::vector<std::string> ca_files;  // *.crt, in name order; trusted besides the system CAs
  std::string client_cert;            // NAME.cert, "" when none
  std::string client_key;             // NAME.key beside it
  std::string dir;                    // where they came from, "" when no directory applied
};

// The per-host directories looked at, in order: $HOME/.config/containers/certs.d/HOST,
// /etc/containers/certs.d/HOST, /etc/docker/certs.d/HOST. Podman uses the home
// one for root too.
std::vector<std::string> cert_dir_candidates(std::string_view host);

// Files for `host` ("host[:port]") from --cert-dir when given (the files sit
// directly in it), else from the first existing directory of
// cert_dir_candidates() -- only that one, as Podman does. *.crt are CAs,
// NAME.cert/NAME.key client pairs; a .cert without its .key (or a .key without
// its .cert) is an error naming both. With several pairs the first by name is
// used. A missing directory gives no files.
base::Result<TlsFiles> tls_files_for(std::string_view host,
                                     const std::optional<std::string>& cert_dir);

// The files in one directory, by the rules above.
base::Result<TlsFiles> tls_files_in(const std::string& dir);

}  // namespace burrow::registry

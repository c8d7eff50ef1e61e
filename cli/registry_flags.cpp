#include "cli/registry_flags.h"

namespace burrow::cli {

Result<engine::RegistryOptions> RegistryFlags::options() const {
  engine::RegistryOptions options;
  if (!authfile.empty()) options.authfile = authfile;
  if (!cert_dir.empty()) options.cert_dir = cert_dir;
  if (tls_verify_option != nullptr && tls_verify_option->count() > 0)
    options.tls_verify = tls_verify;
  if (!creds.empty()) {
    BURROW_TRY(options.credentials, engine::parse_credentials(creds));
  }
  return options;
}

void add_registry_flags(CLI::App& cmd, RegistryFlags& flags, bool with_creds) {
  cmd.add_option("--authfile", flags.authfile, "Path of the authentication file (auth.json)");
  cmd.add_option("--cert-dir", flags.cert_dir,
                 "Directory with the registry's certificates (*.crt, *.cert, *.key)");
  if (with_creds)
    cmd.add_option("--creds", flags.creds, "Credentials USER[:PASSWORD] for the registry");
  flags.tls_verify_option =
      cmd.add_flag("--tls-verify", flags.tls_verify,
                   "Require HTTPS and verify certificates (default: as registries.conf says)");
}

}  // namespace burrow::cli

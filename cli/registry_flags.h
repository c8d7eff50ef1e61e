// The options pull, push, login, search and run share for talking to
// registries: --authfile, --cert-dir, --creds, --tls-verify.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "engine/registry_access.h"

namespace burrow::cli {

struct RegistryFlags {
  std::string authfile;
  std::string cert_dir;
  std::string creds;
  bool tls_verify = true;
  CLI::Option* tls_verify_option = nullptr;

  // What the flags given say; unset ones stay unset.
  Result<engine::RegistryOptions> options() const;
};

// `with_creds` adds --creds (login takes -u/-p instead).
void add_registry_flags(CLI::App& cmd, RegistryFlags& flags, bool with_creds);

}  // namespace burrow::cli

// Registry credentials in auth.json (containers-auth.json(5)), the file
// `podman login` writes and Docker's config.json shares the format of.
// Credential helpers (credHelpers) are kept when writing but not run.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace burrow::registry {

struct Credentials {
  std::string username;
  std::string password;
  std::string identity_token;  // an OAuth2 refresh token, used instead of the password
};

// The primary (read/write) auth file. Podman's order, first that applies:
//   --authfile, $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json.
// Without XDG_RUNTIME_DIR Podman uses /run/containers/UID/auth.json, which an
// unprivileged user usually cannot create; burrow keeps that for root and for
// other users takes /run/user/UID/containers/auth.json when /run/user/UID
// exists (the login session's runtime directory, as Podman's rootless runtime
// dir does), else $XDG_CONFIG_HOME/containers/auth.json (~/.config/...), the
// first fallback file, so a login survives on hosts with no session dirs (HPC
// login nodes) and is found again by every later command.
// `host_uid` is the user as the host sees it (registry::host_euid()).
std::string auth_file_path(const std::optional<std::string>& authfile_flag, uid_t host_uid);
// auth_file_path(flag, host_euid()).
std::string auth_file_path(const std::optional<std::string>& authfile_flag);

// The read-only files searched after the primary one, in order:
// $XDG_CONFIG_HOME/containers/auth.json (~/.config/...), then Docker's
// $DOCKER_CONFIG/config.json or ~/.docker/config.json.
std::vector<std::string> fallback_auth_files();

// Looks `key` up: key is "host[:port]/path/to/repo" or just "host[:port]"; the
// most specific entry wins (repo, then each namespace, then host), as
// containers-auth.json(5) says; entries keyed by URL
// ("https://index.docker.io/v1/") match their host. Reads "auth" (base64
// user:pass) and "identitytoken". When the primary file has nothing and
// `search_fallbacks` (no --authfile was given), also fallback_auth_files(). A
// malformed file is an error naming the file; a missing one has nothing.
base::Result<std::optional<Credentials>> find_credentials(const std::string& auth_path,
                                                          std::string_view key,
                                                          bool search_fallbacks);

// Writes/removes one entry atomically (temp + rename, mode 0600, parent dirs
// 0700), keeping the other entries and any unknown top-level keys (e.g.
// "credHelpers") intact. `key` is normalize_auth_key()'s form; keys with a
// scheme, a tag or a digest are refused.
base::Status store_credentials(const std::string& auth_path, std::string_view key,
                               const Credentials&);
// false when there was no entry for `key` (nothing is written then). A host
// key also removes entries stored under that host's URL by other tools.
base::Result<bool> remove_credentials(const std::string& auth_path, std::string_view key);
// Empties "auths"; a missing file stays missing.
base::Status remove_all_credentials(const std::string& auth_path);

// Normalises what users type to `login`: strips "https://", "http://", a
// trailing "/v2/" (or Docker's "/v1/") or "/"; "docker.io", "index.docker.io"
// and "registry-1.docker.io" all mean "docker.io".
std::string normalize_auth_key(std::string_view text);

}  // namespace burrow::registry

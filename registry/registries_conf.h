// registries.conf as Podman reads it (containers-registries.conf(5), version 2
// format, and the registries.conf.d(5) drop-ins): where to pull a reference
// from (prefix rewriting, mirrors, blocked and insecure registries) and how
// short names become fully qualified ones (aliases, unqualified-search
// registries, short-name-mode).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "image/reference.h"

namespace burrow::registry {

struct Mirror {
  std::string location;  // "host[:port][/namespace...]", never empty
  bool insecure = false;
  std::string pull_from_mirror;  // "all" | "digest-only" | "tag-only"; "" means "all"
};

struct RegistryEntry {
  std::string prefix;    // as configured or = location; may be "*.example.com"
  std::string location;  // may be empty for a wildcard prefix: the reference is used as-is
  bool insecure = false;
  bool blocked = false;
  std::vector<Mirror> mirrors;
  bool mirror_by_digest_only = false;
  std::string origin;  // the file that defined this entry, for error messages
};

struct RegistriesConf {
  std::vector<std::string> unqualified_search_registries;
  // The file that set unqualified-search-registries ("" when none did; a file
  // that sets it to [] still counts, so a drop-in can clear the list).
  std::string search_registries_origin;
  std::vector<RegistryEntry> registries;
  // short name -> fully qualified reference without tag or digest. After
  // parse_registries_conf a value may be "", which erases the alias from
  // earlier files when loaded; load_registries_conf leaves no such values.
  std::map<std::string, std::string> aliases;
  std::map<std::string, std::string> alias_origins;  // short name -> file that defined it
  std::string short_name_mode;                       // "enforcing" | "permissive" | "disabled" | ""

  // The entry whose prefix matches `name` ("host[:port]/path", optionally with
  // ":tag" or "@digest") best, or nullptr. A prefix matches at component
  // boundaries only ("example.com/foo" matches example.com/foo/bar, not
  // example.com/foobar; "example.com" does not match example.com:5000/x); a
  // "*.example.com" prefix matches any host[:port] under example.com. The
  // longest prefix wins, as in Podman.
  const RegistryEntry* find(std::string_view name) const;
};

// Parses one file's text (v2 format; the v1 [registries.search] tables are an
// error naming the file; unknown keys are ignored like Podman; wrong types and
// invalid values are errors naming the file and the key).
base::Result<RegistriesConf> parse_registries_conf(std::string_view toml_text,
                                                   std::string_view source);

// The files the configuration comes from, in the order they are applied.
struct RegistriesConfPaths {
  std::string main_file;                  // a missing file is an empty configuration
  std::vector<std::string> drop_in_dirs;  // each one's *.conf files in name order
  std::string aliases_file;               // machine-written short-name aliases; "" for none
};

// Podman's search order for this user:
// - $CONTAINERS_REGISTRIES_CONF alone when set (no drop-ins, no alias cache),
//   so a test or a user can pin the whole configuration to one file;
// - otherwise $XDG_CONFIG_HOME/containers/registries.conf (default
//   ~/.config/...) when it exists, with only the user's registries.conf.d;
//   else /etc/containers/registries.conf, then /etc/containers/registries.conf.d
//   and the user's registries.conf.d. Podman uses the home file for root too.
// - aliases: /var/cache/containers/short-name-aliases.conf for root,
//   $XDG_CACHE_HOME/containers/short-name-aliases.conf (default ~/.cache) for
//   other users, as containers-registries.conf(5) says.
// `host_uid` is the user as the host sees it (see host_euid()).
RegistriesConfPaths registries_conf_paths(uid_t host_uid);

// Loads and merges `paths`: a later file's unqualified-search-registries and
// short-name-mode replace earlier ones when it sets them; [[registry]] tables
// replace earlier ones with the same prefix; aliases are merged key by key
// ("" erases one). Missing files and directories are fine.
base::Result<RegistriesConf> load_registries_conf(const RegistriesConfPaths& paths);
// load_registries_conf(registries_conf_paths(host_euid())).
base::Result<RegistriesConf> load_registries_conf();

struct PullSource {
  std::string reference;  // full "host/path[:tag|@digest]" to fetch
  bool insecure = false;
};

// Where to fetch a fully qualified reference from: the mirrors (honouring
// pull-from-mirror and mirror-by-digest-only) then the location, with the
// prefix rewritten to each location. Error when blocked ("registry X is
// blocked in FILE"; exit 125 is the caller's). A reference matching no entry
// yields itself (insecure=false).
base::Result<std::vector<PullSource>> pull_sources(const RegistriesConf&,
                                                   const image::Reference& ref);

// Whether pushes/logins to this registry host ("host[:port]") may skip TLS
// verification / use http: the insecure flag of the entry matching it.
bool is_insecure_registry(const RegistriesConf&, std::string_view host);

struct ShortNameCandidates {
  std::vector<image::Reference> candidates;
  bool from_alias = false;
};

// Short-name resolution for pulling: for a qualified reference, just it; for a
// short one, the alias if any (with the user's tag/digest applied), else one
// candidate per unqualified-search registry (docker.io gets "library/" for
// one-component paths). Errors name the fix when there are no candidates.
//
// short-name-mode: "disabled", "permissive" and "" (Podman's default,
// permissive) try every candidate in order. "enforcing" with one candidate
// uses it; with several, Podman prompts on a terminal and fails without one.
// burrow never prompts, so enforcing with several candidates is always
// Podman's no-terminal error, naming the fixes (a qualified name, an alias, or
// another short-name-mode).
base::Result<ShortNameCandidates> resolve_short_name(const RegistriesConf&,
                                                     const image::Reference& ref);

// The effective uid as the host sees it. burrow may already run inside its
// user namespace, where a rootless user is uid 0; the user's own
// configuration files still apply there, so this maps the id back through
// /proc/self/uid_map.
uid_t host_euid();
// $XDG_CONFIG_HOME, else $HOME/.config; $XDG_CACHE_HOME, else $HOME/.cache.
std::string user_config_home();
std::string user_cache_home();
// $XDG_DATA_HOME, else $HOME/.local/share.
std::string user_data_home();

}  // namespace burrow::registry

// auth.json reading and editing (containers-auth.json(5)).
#include "registry/auth_file.h"

#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "base/file_util.h"
#include "base/strings.h"
#include "registry/registries_conf.h"

namespace burrow::registry {

using base::failf;
using Json = nlohmann::json;

namespace {

constexpr size_t kMaxAuthFileSize = size_t{16} << 20;
constexpr std::string_view kManPage = "see containers-auth.json(5)";

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool strip_scheme(std::string_view& text) {
  for (std::string_view scheme : {"https://", "http://"}) {
    if (base::starts_with(text, scheme)) {
      text.remove_prefix(scheme.size());
      return true;
    }
  }
  return false;
}

std::string docker_hub_as_docker_io(std::string_view host) {
  if (host == "index.docker.io" || host == "registry-1.docker.io") return "docker.io";
  return std::string(host);
}

// The registry a stored key is for. Keys written as URLs (Docker's
// "https://index.docker.io/v1/") name only their host.
std::string stored_key_registry(std::string_view key) {
  if (strip_scheme(key)) key = key.substr(0, key.find('/'));
  return docker_hub_as_docker_io(key);
}

std::string registry_of(std::string_view key) {
  return docker_hub_as_docker_io(key.substr(0, key.find('/')));
}

// nullopt for a missing file.
Result<std::optional<Json>> read_auth_json(const std::string& path) {
  auto text = base::read_file_limited(path, kMaxAuthFileSize);
  if (!text) {
    if (text.error().code == ENOENT) return std::optional<Json>{};
    return tl::unexpected(text.error().with_context("reading auth file"));
  }
  Json doc;
  try {
    doc = Json::parse(*text);
  } catch (const Json::exception& e) {
    return failf(EINVAL, "{}: not valid JSON ({}); fix the file or remove it and log in again ({})",
                 path, e.what(), kManPage);
  }
  if (!doc.is_object() || (doc.contains("auths") && !doc["auths"].is_object()))
    return failf(EINVAL,
                 "{}: expected a JSON object with an \"auths\" object; fix the file or remove it "
                 "and log in again ({})",
                 path, kManPage);
  return std::optional<Json>{std::move(doc)};
}

// nullopt for an entry without a username or token (Docker writes {} for
// registries whose credentials live in a credential helper).
Result<std::optional<Credentials>> decode_entry(const Json& entry, const std::string& path,
                                                const std::string& key) {
  auto bad = [&](std::string_view why) {
    return failf(EINVAL, "{}: entry \"{}\": {}; log in again or fix the file ({})", path, key, why,
                 kManPage);
  };
  if (!entry.is_object()) return bad("must be a JSON object");
  Credentials creds;
  if (auto token = entry.find("identitytoken"); token != entry.end()) {
    if (!token->is_string()) return bad("\"identitytoken\" must be a string");
    creds.identity_token = token->get<std::string>();
  }
  if (auto auth = entry.find("auth"); auth != entry.end()) {
    if (!auth->is_string()) return bad("\"auth\" must be a string");
    auto decoded = base::base64_decode(auth->get<std::string>());
    if (!decoded) return bad("\"auth\" is not valid base64");
    size_t colon = decoded->find(':');
    if (colon != std::string::npos) {
      creds.username = decoded->substr(0, colon);
      creds.password = decoded->substr(colon + 1);
      // Some writers pad the password with NULs; Podman drops them too.
      while (!creds.password.empty() && creds.password.back() == '\0') creds.password.pop_back();
    }
  }
  if (creds.username.empty() && creds.identity_token.empty()) return std::optional<Credentials>{};
  return std::optional<Credentials>{std::move(creds)};
}

Result<std::optional<Credentials>> find_in_file(const std::string& path, std::string_view key) {
  BURROW_TRY(auto doc, read_auth_json(path));
  if (!doc || !doc->contains("auths")) return std::optional<Credentials>{};
  const Json& auths = (*doc)["auths"];
  // Most specific first: the repository, each namespace, then the host.
  for (std::string candidate(key);;) {
    if (auto entry = auths.find(candidate); entry != auths.end()) {
      BURROW_TRY(auto creds, decode_entry(*entry, path, candidate));
      if (creds) return creds;
    }
    size_t slash = candidate.rfind('/');
    if (slash == std::string::npos) break;
    candidate.resize(slash);
  }
  std::string registry = registry_of(key);
  for (const auto& [stored, entry] : auths.items()) {
    if (stored_key_registry(stored) != registry) continue;
    BURROW_TRY(auto creds, decode_entry(entry, path, stored));
    if (creds) return creds;
  }
  return std::optional<Credentials>{};
}

Status check_key(std::string_view key) {
  size_t slash = key.find('/');
  bool tagged = slash != std::string_view::npos && key.find(':', slash) != std::string_view::npos;
  if (key.empty() || key.find("://") != std::string_view::npos ||
      key.find('@') != std::string_view::npos || tagged)
    return failf(EINVAL,
                 "invalid registry \"{}\" for the auth file: use host[:port] or "
                 "host[:port]/namespace/repository, without scheme, tag or digest",
                 key);
  return base::ok();
}

Result<Json> load_for_edit(const std::string& path) {
  BURROW_TRY(auto doc, read_auth_json(path));
  if (!doc) doc = Json::object();
  if (!doc->contains("auths")) (*doc)["auths"] = Json::object();
  return std::move(*doc);
}

Status write_auth_json(const std::string& path, const Json& doc) {
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    BURROW_CHECK(base::make_dirs(path.substr(0, slash), 0700));
  }
  return base::write_file_atomic(path, doc.dump(1, '\t') + "\n", 0600);
}

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

}  // namespace

std::string normalize_auth_key(std::string_view text) {
  text = base::trim(text);
  bool url = strip_scheme(text);
  if (ends_with(text, "/v2/") || ends_with(text, "/v1/")) text.remove_suffix(4);
  if (url && (ends_with(text, "/v2") || ends_with(text, "/v1"))) text.remove_suffix(3);
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  size_t slash = text.find('/');
  std::string host = docker_hub_as_docker_io(text.substr(0, slash));
  if (slash == std::string_view::npos) return host;
  return host + std::string(text.substr(slash));
}

std::string auth_file_path(const std::optional<std::string>& authfile_flag, uid_t host_uid) {
  if (authfile_flag && !authfile_flag->empty()) return *authfile_flag;
  if (std::string env = env_or_empty("REGISTRY_AUTH_FILE"); !env.empty()) return env;
  if (std::string runtime = env_or_empty("XDG_RUNTIME_DIR"); !runtime.empty())
    return base::path_join(runtime, "containers/auth.json");
  if (host_uid == 0) return "/run/containers/0/auth.json";
  std::string session_dir = "/run/user/" + std::to_string(host_uid);
  if (base::is_directory(session_dir)) return base::path_join(session_dir, "containers/auth.json");
  return base::path_join(user_config_home(), "containers/auth.json");
}

std::string auth_file_path(const std::optional<std::string>& authfile_flag) {
  return auth_file_path(authfile_flag, host_euid());
}

std::vector<std::string> fallback_auth_files() {
  std::vector<std::string> files{base::path_join(user_config_home(), "containers/auth.json")};
  if (std::string docker = env_or_empty("DOCKER_CONFIG"); !docker.empty()) {
    files.push_back(base::path_join(docker, "config.json"));
  } else if (std::string home = env_or_empty("HOME"); !home.empty()) {
    files.push_back(base::path_join(home, ".docker/config.json"));
  }
  return files;
}

Result<std::optional<Credentials>> find_credentials(const std::string& auth_path,
                                                    std::string_view key, bool search_fallbacks) {
  std::vector<std::string> files{auth_path};
  if (search_fallbacks) {
    for (auto& file : fallback_auth_files())
      if (file != auth_path) files.push_back(std::move(file));
  }
  for (const auto& file : files) {
    BURROW_TRY(auto creds, find_in_file(file, key));
    if (creds) return creds;
  }
  return std::optional<Credentials>{};
}

Status store_credentials(const std::string& auth_path, std::string_view key,
                         const Credentials& creds) {
  BURROW_CHECK(check_key(key));
  BURROW_TRY(auto doc, load_for_edit(auth_path));
  Json entry = Json::object();
  entry["auth"] = base::base64_encode(creds.username + ":" + creds.password);
  if (!creds.identity_token.empty()) entry["identitytoken"] = creds.identity_token;
  doc["auths"][std::string(key)] = std::move(entry);
  return write_auth_json(auth_path, doc);
}

Result<bool> remove_credentials(const std::string& auth_path, std::string_view key) {
  BURROW_TRY(auto doc, read_auth_json(auth_path));
  if (!doc || !doc->contains("auths")) return false;
  Json& auths = (*doc)["auths"];
  bool removed = auths.erase(std::string(key)) > 0;
  if (key.find('/') == std::string_view::npos) {
    std::vector<std::string> url_keys;
    for (const auto& item : auths.items())
      if (item.key().find("://") != std::string::npos &&
          stored_key_registry(item.key()) == docker_hub_as_docker_io(key))
        url_keys.push_back(item.key());
    for (const auto& url_key : url_keys) removed = auths.erase(url_key) > 0 || removed;
  }
  if (!removed) return false;
  BURROW_CHECK(write_auth_json(auth_path, *doc));
  return true;
}

Status remove_all_credentials(const std::string& auth_path) {
  BURROW_TRY(auto doc, read_auth_json(auth_path));
  if (!doc) return base::ok();
  (*doc)["auths"] = Json::object();
  return write_auth_json(auth_path, *doc);
}

}  // namespace burrow::registry

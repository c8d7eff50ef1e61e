// Finding a registry's TLS files in certs.d directories (containers-certs.d(5)).
#include "registry/certs_dir.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>

#include "base/file_util.h"

namespace burrow::registry {

using base::failf;

namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string_view stem(std::string_view name) { return name.substr(0, name.rfind('.')); }

// Names of the entries that are not directories; nullopt when `dir` is missing.
Result<std::optional<std::set<std::string>>> file_names(const std::string& dir) {
  DIR* stream = ::opendir(dir.c_str());
  if (stream == nullptr) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::set<std::string>>{};
    return base::fail_errno("reading certificate directory {}", dir);
  }
  std::set<std::string> names;
  while (const dirent* entry = ::readdir(stream)) {
    std::string name = entry->d_name;
    if (name == "." || name == ".." || base::is_directory(base::path_join(dir, name))) continue;
    names.insert(std::move(name));
  }
  ::closedir(stream);
  return std::optional<std::set<std::string>>{std::move(names)};
}

tl::unexpected<Error> unpaired(const std::string& dir, std::string_view have,
                               std::string_view missing) {
  return failf(ENOENT,
               "{}: {} has no matching {}; add it, or rename a CA certificate to end in .crt "
               "(see containers-certs.d(5))",
               dir, have, missing);
}

}  // namespace

std::vector<std::string> cert_dir_candidates(std::string_view host) {
  std::vector<std::string> dirs;
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    dirs.push_back(base::path_join(base::path_join(home, ".config/containers/certs.d"), host));
  dirs.push_back(base::path_join("/etc/containers/certs.d", host));
  dirs.push_back(base::path_join("/etc/docker/certs.d", host));
  return dirs;
}

Result<TlsFiles> tls_files_in(const std::string& dir) {
  BURROW_TRY(auto names, file_names(dir));
  TlsFiles files;
  if (!names) return files;
  files.dir = dir;
  for (const auto& name : *names) {
    if (ends_with(name, ".crt")) files.ca_files.push_back(base::path_join(dir, name));
    if (ends_with(name, ".cert")) {
      std::string key = std::string(stem(name)) + ".key";
      if (names->count(key) == 0) return unpaired(dir, name, key);
      if (files.client_cert.empty()) {
        files.client_cert = base::path_join(dir, name);
        files.client_key = base::path_join(dir, key);
      }
    }
    if (ends_with(name, ".key")) {
      std::string cert = std::string(stem(name)) + ".cert";
      if (names->count(cert) == 0) return unpaired(dir, name, cert);
    }
  }
  return files;
}

Result<TlsFiles> tls_files_for(std::string_view host, const std::optional<std::string>& cert_dir) {
  if (cert_dir && !cert_dir->empty()) return tls_files_in(*cert_dir);
  for (const auto& dir : cert_dir_candidates(host)) {
    if (base::is_directory(dir)) return tls_files_in(dir);
  }
  return TlsFiles{};
}

}  // namespace burrow::registry

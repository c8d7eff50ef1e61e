// Finding the registries.conf files a user has (containers-registries.conf(5),
// containers-registries.conf.d(5)) and merging them in Podman's order.
#include <dirent.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "base/file_util.h"
#include "base/strings.h"
#include "registry/registries_conf.h"

namespace burrow::registry {

namespace {

// Configuration files are small; a larger one is a mistake, not a config.
constexpr size_t kMaxConfSize = size_t{4} << 20;

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::string home_dir() {
  std::string home = env_or_empty("HOME");
  if (!home.empty()) return home;
  if (const passwd* pw = ::getpwuid(host_euid()); pw != nullptr) return pw->pw_dir;
  return "/";
}

// XDG base directories must be absolute paths; others are ignored.
std::string xdg_dir(const char* variable, std::string_view home_relative) {
  std::string value = env_or_empty(variable);
  if (!value.empty() && value.front() == '/') return value;
  return base::path_join(home_dir(), home_relative);
}

// nullopt for a missing file: an absent configuration is an empty one.
Result<std::optional<RegistriesConf>> load_file(const std::string& path) {
  auto text = base::read_file_limited(path, kMaxConfSize);
  if (!text) {
    if (text.error().code == ENOENT) return std::optional<RegistriesConf>{};
    return tl::unexpected(text.error().with_context("reading registries configuration"));
  }
  BURROW_TRY(auto conf, parse_registries_conf(*text, path));
  return std::optional<RegistriesConf>{std::move(conf)};
}

// The directory's *.conf files that are not directories, in name order; a
// missing directory has none.
Result<std::vector<std::string>> drop_in_files(const std::string& dir) {
  DIR* stream = ::opendir(dir.c_str());
  if (stream == nullptr) {
    if (errno == ENOENT || errno == ENOTDIR) return std::vector<std::string>{};
    return base::fail_errno("reading {}", dir);
  }
  std::vector<std::string> files;
  while (const dirent* entry = ::readdir(stream)) {
    std::string_view name = entry->d_name;
    if (name.size() <= 5 || name.substr(name.size() - 5) != ".conf") continue;
    std::string path = base::path_join(dir, name);
    if (base::is_directory(path)) continue;
    files.push_back(std::move(path));
  }
  ::closedir(stream);
  std::sort(files.begin(), files.end());
  return files;
}

void merge_aliases(RegistriesConf& into, const RegistriesConf& from) {
  for (const auto& [name, value] : from.aliases) {
    into.aliases[name] = value;
    into.alias_origins[name] = from.alias_origins.at(name);
  }
}

// A later file replaces what it sets, as containers-registries.conf.d(5) says.
void merge(RegistriesConf& into, RegistriesConf from) {
  if (!from.search_registries_origin.empty()) {
    into.unqualified_search_registries = std::move(from.unqualified_search_registries);
    into.search_registries_origin = std::move(from.search_registries_origin);
  }
  if (!from.short_name_mode.empty()) into.short_name_mode = std::move(from.short_name_mode);
  for (auto& entry : from.registries) {
    auto same = std::find_if(into.registries.begin(), into.registries.end(),
                             [&](const RegistryEntry& e) { return e.prefix == entry.prefix; });
    if (same != into.registries.end()) {
      *same = std::move(entry);
    } else {
      into.registries.push_back(std::move(entry));
    }
  }
  merge_aliases(into, from);
}

void drop_erased_aliases(RegistriesConf& conf) {
  for (auto it = conf.aliases.begin(); it != conf.aliases.end();) {
    if (it->second.empty()) {
      conf.alias_origins.erase(it->first);
      it = conf.aliases.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace

uid_t host_euid() {
  uid_t inside = ::geteuid();
  std::FILE* map = std::fopen("/proc/self/uid_map", "re");
  if (map == nullptr) return inside;
  unsigned long first = 0, outside = 0, count = 0;
  uid_t result = inside;
  while (std::fscanf(map, "%lu %lu %lu", &first, &outside, &count) == 3) {
    if (inside >= first && inside - first < count) {
      result = static_cast<uid_t>(outside + (inside - first));
      break;
    }
  }
  std::fclose(map);
  return result;
}

std::string user_config_home() { return xdg_dir("XDG_CONFIG_HOME", ".config"); }
std::string user_cache_home() { return xdg_dir("XDG_CACHE_HOME", ".cache"); }
std::string user_data_home() { return xdg_dir("XDG_DATA_HOME", ".local/share"); }

RegistriesConfPaths registries_conf_paths(uid_t host_uid) {
  RegistriesConfPaths paths;
  std::string pinned = env_or_empty("CONTAINERS_REGISTRIES_CONF");
  if (!pinned.empty()) {
    paths.main_file = pinned;
    return paths;
  }
  std::string user_dir = base::path_join(user_config_home(), "containers");
  std::string user_file = base::path_join(user_dir, "registries.conf");
  if (base::path_exists(user_file)) {
    paths.main_file = user_file;
  } else {
    paths.main_file = "/etc/containers/registries.conf";
    paths.drop_in_dirs.push_back("/etc/containers/registries.conf.d");
  }
  paths.drop_in_dirs.push_back(base::path_join(user_dir, "registries.conf.d"));
  paths.aliases_file =
      host_uid == 0 ? "/var/cache/containers/short-name-aliases.conf"
                    : base::path_join(user_cache_home(), "containers/short-name-aliases.conf");
  return paths;
}

Result<RegistriesConf> load_registries_conf(const RegistriesConfPaths& paths) {
  RegistriesConf conf;
  BURROW_TRY(auto main_conf, load_file(paths.main_file));
  if (main_conf) conf = std::move(*main_conf);
  for (const auto& dir : paths.drop_in_dirs) {
    BURROW_TRY(auto files, drop_in_files(dir));
    for (const auto& file : files) {
      BURROW_TRY(auto drop_in, load_file(file));
      if (drop_in) merge(conf, std::move(*drop_in));
    }
  }
  if (!paths.aliases_file.empty()) {
    // Only its [aliases] count; they take precedence over every registries.conf.
    BURROW_TRY(auto cache, load_file(paths.aliases_file));
    if (cache) merge_aliases(conf, *cache);
  }
  drop_erased_aliases(conf);
  return conf;
}

Result<RegistriesConf> load_registries_conf() {
  return load_registries_conf(registries_conf_paths(host_euid()));
}

}  // namespace burrow::registry

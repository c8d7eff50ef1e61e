// Parsing one registries.conf file (containers-registries.conf(5), version 2).
// Lookups are in registries_lookup.cpp, finding and merging the files in
// registries_load.cpp.
#include "registry/registries_conf.h"

// toml++ in its default mode (parse errors are exceptions), as everywhere in
// burrow: mixing modes in one binary breaks its shared inline parser.
#include <toml++/toml.h>

#include <cerrno>
#include <optional>
#include <set>

#include "base/strings.h"

namespace burrow::registry {

using base::failf;

namespace {

constexpr std::string_view kManPage = "see containers-registries.conf(5)";

// Where a key sits, for messages: "" for the top level, "[[registry]] #2".
struct Place {
  std::string_view source;
  std::string table;
};

tl::unexpected<Error> wrong_type(const Place& place, std::string_view key,
                                 std::string_view expected) {
  std::string where = place.table.empty() ? "" : " in " + place.table;
  return failf(EINVAL, "{}: \"{}\"{} must be {}; fix the value ({})", place.source, key, where,
               expected, kManPage);
}

tl::unexpected<Error> invalid(const Place& place, std::string_view what) {
  std::string where = place.table.empty() ? "" : place.table + ": ";
  return failf(EINVAL, "{}: {}{} ({})", place.source, where, what, kManPage);
}

Result<std::optional<std::string>> get_string(const toml::table& table, std::string_view key,
                                              const Place& place) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::optional<std::string>{};
  if (!node->is_string()) return wrong_type(place, key, "a string");
  return std::optional<std::string>{node->as_string()->get()};
}

Result<bool> get_bool(const toml::table& table, std::string_view key, const Place& place) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return false;
  if (!node->is_boolean()) return wrong_type(place, key, "true or false");
  return node->as_boolean()->get();
}

Result<std::optional<std::vector<std::string>>> get_strings(const toml::table& table,
                                                            std::string_view key,
                                                            const Place& place) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::optional<std::vector<std::string>>{};
  if (!node->is_array()) return wrong_type(place, key, "an array of strings");
  std::vector<std::string> out;
  for (const toml::node& item : *node->as_array()) {
    if (!item.is_string()) return wrong_type(place, key, "an array of strings");
    out.push_back(item.as_string()->get());
  }
  return std::optional<std::vector<std::string>>{std::move(out)};
}

// [[name]] tables; an empty array (name = []) counts as none.
bool is_table_array(const toml::node& node) {
  const toml::array* array = node.as_array();
  return array != nullptr && (array->empty() || array->is_array_of_tables());
}

// Podman trims trailing slashes and refuses URLs: locations name registries,
// the scheme follows from `insecure`.
Result<std::string> clean_location(std::string value, std::string_view key, const Place& place) {
  while (!value.empty() && value.back() == '/') value.pop_back();
  if (base::starts_with(value, "http://") || base::starts_with(value, "https://"))
    return invalid(place, fmt::format("{} \"{}\" must not start with http:// or https://; "
                                      "remove the scheme and use insecure = true for http",
                                      key, value));
  return value;
}

bool is_valid_search_registry(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host)
    if (c == '/' || c == '@' || c == ' ' || c == '\t' || c == '*') return false;
  return true;
}

Status reject_v1(const toml::table& root, const Place& place) {
  const toml::table* v1 = root["registries"].as_table();
  if (v1 == nullptr) return base::ok();
  for (std::string_view key : {"search", "insecure", "block"})
    if (v1->contains(key))
      return invalid(place,
                     "the version 1 format ([registries.search], [registries.insecure], "
                     "[registries.block]) is not supported; rewrite it as "
                     "unqualified-search-registries = [...] and [[registry]] tables with "
                     "location, insecure and blocked");
  return base::ok();
}

Status read_globals(const toml::table& root, const Place& place, RegistriesConf& conf) {
  BURROW_TRY(auto search, get_strings(root, "unqualified-search-registries", place));
  if (search) {
    for (auto& entry : *search) {
      BURROW_TRY(entry, clean_location(entry, "unqualified-search-registries entry", place));
      if (!is_valid_search_registry(entry))
        return invalid(place, fmt::format("unqualified-search-registries entry \"{}\" must be a "
                                          "registry host[:port] without a path",
                                          entry));
    }
    conf.unqualified_search_registries = std::move(*search);
    conf.search_registries_origin = std::string(place.source);
  }
  BURROW_TRY(auto mode, get_string(root, "short-name-mode", place));
  if (mode && !mode->empty()) {
    if (*mode != "enforcing" && *mode != "permissive" && *mode != "disabled")
      return invalid(place, fmt::format("short-name-mode \"{}\" must be \"enforcing\", "
                                        "\"permissive\" or \"disabled\"",
                                        *mode));
    conf.short_name_mode = *mode;
  }
  return base::ok();
}

Status check_pull_from_mirror(const Mirror& mirror, const RegistryEntry& entry,
                              const Place& place) {
  const std::string& value = mirror.pull_from_mirror;
  if (value.empty()) return base::ok();
  if (value != "all" && value != "digest-only" && value != "tag-only")
    return invalid(place, fmt::format("pull-from-mirror \"{}\" of mirror \"{}\" must be \"all\", "
                                      "\"digest-only\" or \"tag-only\"",
                                      value, mirror.location));
  if (entry.mirror_by_digest_only)
    return invalid(place, fmt::format("mirror \"{}\" sets pull-from-mirror while its registry "
                                      "sets mirror-by-digest-only; keep only one of them",
                                      mirror.location));
  return base::ok();
}

Status read_mirrors(const toml::table& table, const Place& place, RegistryEntry& entry) {
  const toml::node* node = table.get("mirror");
  if (node == nullptr) return base::ok();
  if (!is_table_array(*node)) return wrong_type(place, "mirror", "an array of tables");
  int index = 0;
  for (const toml::node& item : *node->as_array()) {
    const toml::table& mirror_table = *item.as_table();
    Place mirror_place{place.source, fmt::format("{} mirror #{}", place.table, ++index)};
    Mirror mirror;
    BURROW_TRY(auto location, get_string(mirror_table, "location", mirror_place));
    BURROW_TRY(mirror.location, clean_location(location.value_or(""), "location", mirror_place));
    if (mirror.location.empty()) return invalid(mirror_place, "location must be set");
    BURROW_TRY(mirror.insecure, get_bool(mirror_table, "insecure", mirror_place));
    BURROW_TRY(auto pull_from, get_string(mirror_table, "pull-from-mirror", mirror_place));
    mirror.pull_from_mirror = pull_from.value_or("");
    BURROW_CHECK(check_pull_from_mirror(mirror, entry, mirror_place));
    entry.mirrors.push_back(std::move(mirror));
  }
  return base::ok();
}

// "*.example.com" is the only wildcard form: at the start, a bare host after it.
Status check_prefix(const RegistryEntry& entry, const Place& place) {
  const std::string& prefix = entry.prefix;
  bool wildcard = base::starts_with(prefix, "*.");
  if (wildcard && (prefix.size() == 2 || prefix.find_first_of("/@:*", 2) != std::string::npos))
    return invalid(place, fmt::format("wildcard prefix \"{}\" must have the form *.example.com "
                                      "(no port, path, tag or further *)",
                                      prefix));
  if (!wildcard && prefix.find('*') != std::string::npos)
    return invalid(place,
                   fmt::format("prefix \"{}\" may contain * only as a leading \"*.\"", prefix));
  if (!wildcard && entry.location.empty())
    return invalid(place, fmt::format("prefix \"{}\" needs a location (only a *.example.com "
                                      "prefix may leave it empty)",
                                      prefix));
  return base::ok();
}

Result<RegistryEntry> read_registry(const toml::table& table, const Place& place) {
  RegistryEntry entry;
  entry.origin = std::string(place.source);
  BURROW_TRY(auto location, get_string(table, "location", place));
  BURROW_TRY(entry.location, clean_location(location.value_or(""), "location", place));
  BURROW_TRY(auto prefix, get_string(table, "prefix", place));
  BURROW_TRY(entry.prefix, clean_location(prefix.value_or(""), "prefix", place));
  if (entry.prefix.empty()) {
    if (entry.location.empty()) return invalid(place, "set location (and optionally prefix)");
    entry.prefix = entry.location;
  }
  BURROW_CHECK(check_prefix(entry, place));
  BURROW_TRY(entry.insecure, get_bool(table, "insecure", place));
  BURROW_TRY(entry.blocked, get_bool(table, "blocked", place));
  BURROW_TRY(entry.mirror_by_digest_only, get_bool(table, "mirror-by-digest-only", place));
  if (table.contains("pull-from-mirror"))
    return invalid(place,
                   "pull-from-mirror belongs in a [[registry.mirror]] table, not in "
                   "[[registry]]; move it there");
  BURROW_CHECK(read_mirrors(table, place, entry));
  return entry;
}

Status read_registries(const toml::table& root, const Place& place, RegistriesConf& conf) {
  const toml::node* node = root.get("registry");
  if (node == nullptr) return base::ok();
  if (!is_table_array(*node)) return wrong_type(place, "registry", "an array of tables");
  // Podman keeps the first of several tables with one prefix.
  std::set<std::string> seen;
  int index = 0;
  for (const toml::node& item : *node->as_array()) {
    Place entry_place{place.source, fmt::format("[[registry]] #{}", ++index)};
    BURROW_TRY(auto entry, read_registry(*item.as_table(), entry_place));
    if (seen.insert(entry.prefix).second) conf.registries.push_back(std::move(entry));
  }
  return base::ok();
}

// Aliases map a bare short name to a qualified name, both without tag or digest.
Status check_alias(const std::string& name, const std::string& value, const Place& place) {
  auto name_ref = image::parse_reference(name);
  if (!name_ref || !name_ref->is_short_name() || name.find_first_of(":@") != std::string::npos)
    return invalid(place, fmt::format("alias name \"{}\" must be a short name without "
                                      "registry, tag or digest",
                                      name));
  if (value.empty()) return base::ok();  // erases the alias from earlier files
  auto value_ref = image::parse_reference(value);
  std::string_view after_domain =
      value_ref ? std::string_view(value).substr(value.find('/') + 1) : "";
  if (!value_ref || value_ref->is_short_name() ||
      after_domain.find_first_of(":@") != std::string_view::npos)
    return invalid(place, fmt::format("alias \"{}\" = \"{}\" must name a fully qualified image "
                                      "(registry/repository) without tag or digest",
                                      name, value));
  return base::ok();
}

Status read_aliases(const toml::table& root, const Place& place, RegistriesConf& conf) {
  const toml::node* node = root.get("aliases");
  if (node == nullptr) return base::ok();
  if (!node->is_table()) return wrong_type(place, "aliases", "a table of \"name\" = \"value\"");
  Place alias_place{place.source, "[aliases]"};
  for (const auto& [key, value] : *node->as_table()) {
    std::string name(key.str());
    if (!value.is_string()) return wrong_type(alias_place, name, "a string");
    std::string target = value.as_string()->get();
    BURROW_CHECK(check_alias(name, target, alias_place));
    // Stored normalised, so docker.io/alpine reads as docker.io/library/alpine.
    if (!target.empty()) target = image::parse_reference(target)->name();
    conf.aliases[name] = target;
    conf.alias_origins[name] = std::string(place.source);
  }
  return base::ok();
}

}  // namespace

Result<RegistriesConf> parse_registries_conf(std::string_view toml_text, std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& error) {
    return failf(EINVAL, "{}: line {}, column {}: {}; fix the TOML syntax ({})", source,
                 error.source().begin.line, error.source().begin.column, error.description(),
                 kManPage);
  }
  Place place{source, ""};
  RegistriesConf conf;
  BURROW_CHECK(reject_v1(root, place));
  BURROW_CHECK(read_globals(root, place, conf));
  BURROW_CHECK(read_registries(root, place, conf));
  BURROW_CHECK(read_aliases(root, place, conf));
  return conf;
}

}  // namespace burrow::registry

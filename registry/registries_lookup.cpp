// Answers from a loaded registries.conf: which [[registry]] table applies to a
// reference, where to pull it from, and the candidates for a short name.
#include <cerrno>

#include "base/strings.h"
#include "registry/registries_conf.h"

namespace burrow::registry {

using base::failf;

namespace {

constexpr size_t kNoMatch = std::string_view::npos;

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// "*.example.com" (suffix ".example.com") matches a host[:port] whose host name
// ends in the suffix, at any depth. The whole host[:port] is the match, so a
// rewrite to a location replaces the port too.
size_t match_wildcard(std::string_view ref, std::string_view suffix) {
  std::string_view host_and_port = ref.substr(0, ref.find('/'));
  std::string_view host = host_and_port;
  if (!host.empty() && host.front() != '[') host = host.substr(0, host.find(':'));
  if (host.size() <= suffix.size() || !ends_with(host, suffix)) return kNoMatch;
  return host_and_port.size();
}

// How much of `ref` ("host[:port]/path[:tag][@digest]") `prefix` covers, or
// kNoMatch. Matches end at a component boundary. A ':' right after a prefix
// that is only a host starts a port, so "example.com" does not match
// "example.com:5000/x" (Podman matches it by accident and says not to rely on
// it).
size_t match_length(std::string_view ref, std::string_view prefix) {
  if (base::starts_with(prefix, "*.")) return match_wildcard(ref, prefix.substr(1));
  if (!base::starts_with(ref, prefix)) return kNoMatch;
  if (ref.size() == prefix.size()) return prefix.size();
  char next = ref[prefix.size()];
  if (next == '/' || next == '@') return prefix.size();
  if (next == ':' && prefix.find('/') != std::string_view::npos) return prefix.size();
  return kNoMatch;
}

std::string origin_or_default(const std::string& origin) {
  return origin.empty() ? "registries.conf" : origin;
}

bool mirror_applies(const RegistryEntry& entry, const Mirror& mirror, bool by_digest) {
  if (entry.mirror_by_digest_only) return by_digest;
  if (mirror.pull_from_mirror == "digest-only") return by_digest;
  if (mirror.pull_from_mirror == "tag-only") return !by_digest;
  return true;
}

// The reference as `location` serves it: the matched prefix replaced by the
// location; an empty location (wildcard prefixes) keeps the reference as is.
Result<PullSource> rewrite(const RegistryEntry& entry, std::string_view ref,
                           const std::string& location, bool insecure) {
  if (location.empty()) return PullSource{std::string(ref), insecure};
  std::string rewritten = location + std::string(ref.substr(match_length(ref, entry.prefix)));
  auto parsed = image::parse_reference(rewritten);
  if (!parsed || parsed->is_short_name())
    return failf(EINVAL,
                 "{}: [[registry]] prefix \"{}\" with location \"{}\" turns {} into \"{}\", "
                 "which is not a valid image reference; fix the location",
                 origin_or_default(entry.origin), entry.prefix, location, ref, rewritten);
  return PullSource{parsed->to_string(), insecure};
}

}  // namespace

const RegistryEntry* RegistriesConf::find(std::string_view name) const {
  const RegistryEntry* best = nullptr;
  for (const auto& entry : registries) {
    if (match_length(name, entry.prefix) == kNoMatch) continue;
    if (best == nullptr || entry.prefix.size() > best->prefix.size()) best = &entry;
  }
  return best;
}

Result<std::vector<PullSource>> pull_sources(const RegistriesConf& conf,
                                             const image::Reference& ref) {
  if (ref.is_short_name())
    return failf(EINVAL, "pull_sources needs a qualified reference, not the short name \"{}\"",
                 ref.to_string());
  std::string text = ref.to_string();
  const RegistryEntry* entry = conf.find(text);
  if (entry == nullptr) return std::vector<PullSource>{{text, false}};
  if (entry->blocked)
    return failf(EACCES,
                 "registry \"{}\" is blocked in {}: pulling {} is forbidden there; pull from "
                 "another registry or remove blocked = true from that [[registry]] table",
                 entry->prefix, origin_or_default(entry->origin), text);
  bool by_digest = !ref.digest.empty();
  std::vector<PullSource> sources;
  for (const auto& mirror : entry->mirrors) {
    if (!mirror_applies(*entry, mirror, by_digest)) continue;
    BURROW_TRY(auto source, rewrite(*entry, text, mirror.location, mirror.insecure));
    sources.push_back(std::move(source));
  }
  BURROW_TRY(auto primary, rewrite(*entry, text, entry->location, entry->insecure));
  sources.push_back(std::move(primary));
  return sources;
}

bool is_insecure_registry(const RegistriesConf& conf, std::string_view host) {
  const RegistryEntry* entry = conf.find(host);
  return entry != nullptr && entry->insecure;
}

namespace {

Result<ShortNameCandidates> from_alias(const RegistriesConf& conf, const image::Reference& ref,
                                       const std::string& target) {
  auto alias = image::parse_reference(target);
  if (!alias || alias->is_short_name()) {
    auto origin = conf.alias_origins.find(ref.path);
    return failf(EINVAL, "{}: alias \"{}\" = \"{}\" is not a fully qualified image; fix it",
                 origin_or_default(origin == conf.alias_origins.end() ? "" : origin->second),
                 ref.path, target);
  }
  // The alias names a repository; the user's tag and digest still apply.
  alias->tag = ref.tag;
  alias->digest = ref.digest;
  return ShortNameCandidates{{*alias}, true};
}

}  // namespace

Result<ShortNameCandidates> resolve_short_name(const RegistriesConf& conf,
                                               const image::Reference& ref) {
  if (!ref.is_short_name()) return ShortNameCandidates{{ref}, false};
  if (auto alias = conf.aliases.find(ref.path);
      alias != conf.aliases.end() && !alias->second.empty()) {
    return from_alias(conf, ref, alias->second);
  }
  if (conf.unqualified_search_registries.empty())
    return failf(EINVAL,
                 "short-name \"{}\" did not resolve to an alias and no unqualified-search "
                 "registries are defined in {}; use a fully qualified name (for example {}) or "
                 "add unqualified-search-registries = [\"docker.io\"] there",
                 ref.name(), origin_or_default(conf.search_registries_origin),
                 ref.qualified(image::kDockerDomain).name());
  ShortNameCandidates out;
  for (const auto& registry : conf.unqualified_search_registries)
    out.candidates.push_back(ref.qualified(registry));
  if (conf.short_name_mode == "enforcing" && out.candidates.size() > 1) {
    std::vector<std::string> names;
    for (const auto& candidate : out.candidates) names.push_back(candidate.name());
    return failf(EINVAL,
                 "short-name \"{}\" is ambiguous ({}) and short-name-mode is \"enforcing\", "
                 "which needs a choice burrow cannot prompt for; use a fully qualified name, add "
                 "an alias to [aliases] in registries.conf, or set short-name-mode = "
                 "\"permissive\"",
                 ref.name(), base::join(names, ", "));
  }
  return out;
}

}  // namespace burrow::registry

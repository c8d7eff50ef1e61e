#include "image/reference.h"

#include <cerrno>

#include "base/digest.h"

namespace burrow::image {

using base::fail;
using base::failf;
using base::Result;
using base::Status;

namespace {

// The docker reference grammar caps the whole name (domain and path).
constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxTagLength = 128;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool has_upper(std::string_view text) {
  for (char c : text)
    if (c >= 'A' && c <= 'Z') return true;
  return false;
}

tl::unexpected<base::Error> invalid(std::string_view why) {
  if (why.empty()) return fail(EINVAL, "invalid reference format");
  return failf(EINVAL, "invalid reference format: {}", why);
}

// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool valid_host_component(std::string_view part) {
  if (part.empty() || !is_alnum(part.front()) || !is_alnum(part.back())) return false;
  for (char c : part)
    if (!is_alnum(c) && c != '-') return false;
  return true;
}

bool valid_port(std::string_view port) {
  if (port.empty()) return false;
  for (char c : port)
    if (c < '0' || c > '9') return false;
  return true;
}

bool valid_domain(std::string_view domain) {
  std::string_view host = domain;
  std::string_view port;
  bool has_port = false;
  if (!domain.empty() && domain.front() == '[') {
    // A bracketed IPv6 address, "[::1]:5000".
    size_t close = domain.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : domain.substr(1, close - 1))
      if (!is_alnum(c) && c != ':' && c != '.') return false;
    std::string_view after = domain.substr(close + 1);
    if (after.empty()) return true;
    return after.front() == ':' && valid_port(after.substr(1));
  }
  if (size_t colon = domain.find(':'); colon != std::string_view::npos) {
    host = domain.substr(0, colon);
    port = domain.substr(colon + 1);
    has_port = true;
  }
  if (has_port && !valid_port(port)) return false;
  size_t start = 0;
  for (;;) {
    size_t dot = host.find('.', start);
    if (!valid_host_component(host.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | __ | -+
bool valid_path_component(std::string_view part) {
  if (part.empty() || !is_lower_alnum(part.front()) || !is_lower_alnum(part.back())) return false;
  size_t i = 0;
  while (i < part.size()) {
    if (is_lower_alnum(part[i])) {
      ++i;
      continue;
    }
    size_t run_end = i;
    while (run_end < part.size() && !is_lower_alnum(part[run_end])) ++run_end;
    std::string_view sep = part.substr(i, run_end - i);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = run_end;
  }
  return true;
}

Status validate_path(std::string_view path) {
  if (has_upper(path)) return invalid("repository name must be lowercase");
  size_t start = 0;
  for (;;) {
    size_t slash = path.find('/', start);
    if (!valid_path_component(path.substr(start, slash - start))) return invalid("");
    if (slash == std::string_view::npos) return base::ok();
    start = slash + 1;
  }
}

// tag := [\w][\w.-]{0,127}
bool valid_tag(std::string_view tag) {
  auto word = [](char c) { return is_alnum(c) || c == '_'; };
  if (tag.empty() || tag.size() > kMaxTagLength || !word(tag.front())) return false;
  for (char c : tag)
    if (!word(c) && c != '.' && c != '-') return false;
  return true;
}

// Docker's rule: the first component is a domain when it looks like a host
// name (a dot or a port), is "localhost", or has upper-case letters (which a
// repository path may not have).
bool looks_like_domain(std::string_view first) {
  return first.find_first_of(".:") != std::string_view::npos || first == kLocalDomain ||
         has_upper(first);
}

void normalize_docker_hub(Reference& ref) {
  if (ref.domain == "index.docker.io") ref.domain = std::string(kDockerDomain);
  if (ref.domain == kDockerDomain && ref.path.find('/') == std::string::npos)
    ref.path = "library/" + ref.path;
}

}  // namespace

std::string Reference::name() const {
  if (domain.empty()) return path;
  return domain + "/" + path;
}

std::string Reference::to_string() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

Reference Reference::qualified(std::string_view default_domain) const {
  Reference out = *this;
  if (out.domain.empty()) {
    out.domain = std::string(default_domain);
    normalize_docker_hub(out);
  }
  return out;
}

Result<Reference> parse_reference(std::string_view text) {
  if (text.empty()) return invalid("repository name must have at least one component");
  Reference ref;
  std::string_view rest = text;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    auto hex = base::parse_sha256_digest(rest.substr(at + 1));
    if (!hex) return invalid(hex.error().message);
    ref.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
  }
  size_t colon = rest.rfind(':');
  size_t slash = rest.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    std::string_view tag = rest.substr(colon + 1);
    if (!valid_tag(tag)) return invalid(fmt::format("invalid tag \"{}\"", tag));
    ref.tag = std::string(tag);
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return invalid("repository name must have at least one component");
  if (rest.size() > kMaxNameLength)
    return invalid(
        fmt::format("repository name must not be more than {} characters", kMaxNameLength));
  size_t first_slash = rest.find('/');
  if (first_slash != std::string_view::npos && looks_like_domain(rest.substr(0, first_slash))) {
    ref.domain = std::string(rest.substr(0, first_slash));
    rest = rest.substr(first_slash + 1);
    if (!valid_domain(ref.domain)) return invalid(fmt::format("invalid domain \"{}\"", ref.domain));
  }
  BURROW_CHECK(validate_path(rest));
  ref.path = std::string(rest);
  // A bare 64-hex name would be ambiguous with an image ID.
  if (ref.domain.empty() && ref.path.size() == 64 && base::is_hex(ref.path))
    return failf(EINVAL, "invalid repository name ({}), cannot specify 64-byte hexadecimal strings",
                 ref.path);
  normalize_docker_hub(ref);
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = std::string(kDefaultTag);
  return ref;
}

Result<Reference> parse_normalized_reference(std::string_view text) {
  BURROW_TRY(Reference ref, parse_reference(text));
  return ref.qualified(kDockerDomain);
}

std::vector<std::string> local_candidates(const std::string& user_input) {
  auto ref = parse_reference(user_input);
  if (!ref) return {};
  if (!ref->is_short_name()) return {ref->to_string()};
  std::vector<std::string> out{ref->qualified(kLocalDomain).to_string()};
  std::string hub = ref->qualified(kDockerDomain).to_string();
  if (hub != out.front()) out.push_back(std::move(hub));
  return out;
}

bool short_name_matches(const Reference& short_ref, const std::string& stored_full_name) {
  auto stored = parse_reference(stored_full_name);
  if (!stored) return false;
  if (short_ref.digest.empty() ? stored->tag != short_ref.tag : stored->digest != short_ref.digest)
    return false;
  std::string full = stored->name();
  std::string wanted = short_ref.name();
  if (full == wanted) return true;
  if (!short_ref.is_short_name()) return false;
  // Component-wise: "/busybox" matches ".../busybox" but not ".../mybusybox".
  return full.size() > wanted.size() &&
         full.compare(full.size() - wanted.size(), wanted.size(), wanted) == 0 &&
         full[full.size() - wanted.size() - 1] == '/';
}

bool looks_like_id_prefix(std::string_view text) {
  if (text.substr(0, 7) == "sha256:") text.remove_prefix(7);
  return text.size() >= 3 && text.size() <= 64 && base::is_hex(text);
}

}  // namespace burrow::image

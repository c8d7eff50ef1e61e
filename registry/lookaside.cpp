// registries.d lookaside configuration and file:// signature storage.
#include "registry/lookaside.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>

#include "base/file_util.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "registry/registries_conf.h"
#include "registry/trust_policy.h"

namespace burrow::registry {
namespace {

constexpr std::string_view kSystemDir = "/etc/containers/registries.d";
constexpr std::string_view kFileScheme = "file://";
constexpr int kMaxSignatures = 128;
constexpr size_t kMaxSignatureSize = 4 << 20;
constexpr size_t kMaxConfigSize = 1 << 20;

// "sha256:<hex>" -> "sha256=<hex>"; nullopt for anything that could leave
// the image's directory once it is part of a path.
std::optional<std::string> digest_component(std::string_view digest) {
  size_t colon = digest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == digest.size())
    return std::nullopt;
  auto allowed = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!std::all_of(digest.begin(), digest.begin() + colon, allowed) ||
      !std::all_of(digest.begin() + colon + 1, digest.end(), allowed))
    return std::nullopt;
  return fmt::format("{}={}", digest.substr(0, colon), digest.substr(colon + 1));
}

// A URL value; "lookaside:" with nothing after it is the same as no key.
Result<std::string> url_value(const YAML::Node& section, const char* key,
                              const std::string& where) {
  const YAML::Node value = section[key];
  if (!value || value.IsNull()) return std::string();
  if (!value.IsScalar()) return base::failf(EINVAL, "{}.{}: must be a URL", where, key);
  return value.as<std::string>();
}

Result<LookasideSection> parse_section(const YAML::Node& node, const std::string& where) {
  if (node.IsNull()) return LookasideSection{};
  if (!node.IsMap()) return base::failf(EINVAL, "{}: must be a mapping", where);
  LookasideSection section;
  BURROW_TRY(section.lookaside, url_value(node, "lookaside", where));
  BURROW_TRY(section.lookaside_staging, url_value(node, "lookaside-staging", where));
  BURROW_TRY(std::string old_url, url_value(node, "sigstore", where));
  BURROW_TRY(std::string old_staging, url_value(node, "sigstore-staging", where));
  if ((!old_url.empty() && !section.lookaside.empty()) ||
      (!old_staging.empty() && !section.lookaside_staging.empty()))
    return base::failf(EINVAL, "{}: both lookaside and sigstore are set; keep lookaside", where);
  if (section.lookaside.empty()) section.lookaside = old_url;
  if (section.lookaside_staging.empty()) section.lookaside_staging = old_staging;
  return section;
}

Status merge_document(const YAML::Node& doc, const std::string& origin, LookasideConfig& config) {
  if (doc.IsNull()) return base::ok();
  if (!doc.IsMap()) return base::failf(EINVAL, "{}: expected a mapping", origin);
  if (const YAML::Node node = doc["default-docker"]) {
    if (config.default_docker) {
      return base::failf(EINVAL, "{}: default-docker is already defined in {}", origin,
                         config.default_docker->origin);
    }
    BURROW_TRY(config.default_docker, parse_section(node, origin + ": default-docker"));
    config.default_docker->origin = origin;
  }
  const YAML::Node docker = doc["docker"];
  if (!docker || docker.IsNull()) return base::ok();
  if (!docker.IsMap()) return base::failf(EINVAL, "{}: docker: must be a mapping", origin);
  for (const auto& item : docker) {
    std::string scope = item.first.as<std::string>();
    if (auto it = config.docker.find(scope); it != config.docker.end()) {
      return base::failf(EINVAL, "{}: docker scope \"{}\" is already defined in {}", origin, scope,
                         it->second.origin);
    }
    BURROW_TRY(LookasideSection section, parse_section(item.second, origin + ": docker." + scope));
    section.origin = origin;
    config.docker.emplace(scope, std::move(section));
  }
  return base::ok();
}

Result<std::vector<std::string>> yaml_files(const std::string& dir) {
  std::vector<std::string> names;
  DIR* stream = ::opendir(dir.c_str());
  if (!stream) {
    if (errno == ENOENT) return names;
    return base::fail_errno("reading {}", dir);
  }
  while (const dirent* entry = ::readdir(stream)) {
    std::string name = entry->d_name;
    if (name.size() > 5 && name.ends_with(".yaml")) names.push_back(base::path_join(dir, name));
  }
  ::closedir(stream);
  std::sort(names.begin(), names.end());
  return names;
}

const std::string* section_url(const LookasideSection& section, bool for_write) {
  if (for_write && !section.lookaside_staging.empty()) return &section.lookaside_staging;
  return section.lookaside.empty() ? nullptr : &section.lookaside;
}

std::optional<std::string> base_url(const LookasideConfig& config, const image::Reference& ref,
                                    bool for_write) {
  for (const std::string& scope : docker_scopes(ref)) {
    auto it = config.docker.find(scope);
    if (it == config.docker.end()) continue;
    if (const std::string* url = section_url(it->second, for_write)) return *url;
  }
  if (config.default_docker) {
    if (const std::string* url = section_url(*config.default_docker, for_write)) return *url;
  }
  if (!config.builtin_default.empty()) return config.builtin_default;
  return std::nullopt;
}

// file:///path -> /path; nullopt for other URLs.
std::optional<std::string> file_path(std::string_view url) {
  if (!base::starts_with(url, kFileScheme)) return std::nullopt;
  std::string_view path = url.substr(kFileScheme.size());
  if (path.empty() || path.front() != '/') return std::nullopt;
  return std::string(path);
}

Result<std::optional<std::string>> read_one(const std::string& url,
                                            const LookasideFetcher& fetch_remote) {
  if (auto path = file_path(url)) {
    auto content = base::read_file_limited(*path, kMaxSignatureSize);
    if (!content && content.error().code == ENOENT) return std::nullopt;
    if (!content) return tl::unexpected(content.error());
    return std::optional<std::string>(std::move(*content));
  }
  if (!base::starts_with(url, "http://") && !base::starts_with(url, "https://"))
    return base::failf(EINVAL, "unsupported lookaside URL {} (use file://, http:// or https://)",
                       url);
  if (!fetch_remote) return base::failf(ENOTSUP, "cannot fetch {}: no HTTP client", url);
  return fetch_remote(url);
}

// Writes a temporary file, then link(2)s it to the first free name: link
// never replaces an existing file, so concurrent pushes each get their own.
Result<std::string> link_first_free(const std::string& dir, std::string_view signature,
                                    const std::function<std::string(int)>& name_for) {
  std::string tmp = base::path_join(dir, ".signature-XXXXXX");
  base::UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd) return base::fail_errno("creating a temporary file in {}", dir);
  auto cleanup = [&] { ::unlink(tmp.c_str()); };
  Status written = base::write_all(fd.get(), signature);
  if (written && (::fchmod(fd.get(), 0644) != 0 || ::fsync(fd.get()) != 0))
    written = base::fail_errno("writing {}", tmp);
  if (!written) {
    cleanup();
    return tl::unexpected(written.error().with_context("storing a signature"));
  }
  for (int index = 1; index <= kMaxSignatures; ++index) {
    std::string path = name_for(index);
    if (::link(tmp.c_str(), path.c_str()) == 0) {
      cleanup();
      return path;
    }
    if (errno != EEXIST) {
      auto error = base::fail_errno("storing signature {}", path);
      cleanup();
      return error;
    }
  }
  cleanup();
  return base::failf(ENOSPC, "{} already holds {} signatures", dir, kMaxSignatures);
}

}  // namespace

std::string lookaside_config_dir(const std::optional<std::string>& dir_flag) {
  if (dir_flag && !dir_flag->empty()) return *dir_flag;
  std::string user = user_containers_config("registries.d");
  if (!user.empty() && base::is_directory(user)) return user;
  return std::string(kSystemDir);
}

Status merge_lookaside_yaml(std::string_view yaml, std::string_view origin,
                            LookasideConfig& config) {
  try {
    return merge_document(YAML::Load(std::string(yaml)), std::string(origin), config);
  } catch (const YAML::Exception& e) {
    return base::failf(EINVAL, "{}: invalid YAML: {}", origin, e.what());
  }
}

Result<LookasideConfig> load_lookaside_config(const std::optional<std::string>& dir_flag) {
  std::string dir = lookaside_config_dir(dir_flag);
  BURROW_TRY(std::vector<std::string> files, yaml_files(dir));
  LookasideConfig config;
  for (const std::string& file : files) {
    BURROW_TRY(std::string text, base::read_file_limited(file, kMaxConfigSize));
    BURROW_CHECK(merge_lookaside_yaml(text, file, config));
  }
  return config;
}

std::optional<std::string> signature_url(const LookasideConfig& config, const image::Reference& ref,
                                         std::string_view manifest_digest, int index,
                                         bool for_write) {
  auto digest = digest_component(manifest_digest);
  auto base = base_url(config, ref, for_write);
  if (!digest || !base || index < 1) return std::nullopt;
  std::string_view trimmed = *base;
  while (!trimmed.empty() && trimmed.back() == '/') trimmed.remove_suffix(1);
  return fmt::format("{}/{}@{}/signature-{}", trimmed, ref.path, *digest, index);
}

Result<std::vector<std::string>> read_lookaside_signatures(const LookasideConfig& config,
                                                           const image::Reference& ref,
                                                           std::string_view manifest_digest,
                                                           const LookasideFetcher& fetch_remote) {
  std::vector<std::string> signatures;
  for (int index = 1; index <= kMaxSignatures; ++index) {
    auto url = signature_url(config, ref, manifest_digest, index, /*for_write=*/false);
    if (!url) break;
    BURROW_TRY(std::optional<std::string> signature, read_one(*url, fetch_remote));
    if (!signature) break;
    signatures.push_back(std::move(*signature));
  }
  return signatures;
}

Result<std::string> store_lookaside_signature(const LookasideConfig& config,
                                              const image::Reference& ref,
                                              std::string_view manifest_digest,
                                              std::string_view signature) {
  auto first = signature_url(config, ref, manifest_digest, 1, /*for_write=*/true);
  if (!first) {
    return base::failf(ENOENT,
                       "no lookaside signature storage is configured for {} (add a "
                       "lookaside-staging: file:///... entry in registries.d)",
                       ref.name());
  }
  auto first_path = file_path(*first);
  if (!first_path) {
    return base::failf(ENOTSUP,
                       "cannot write signatures to {}: configure a file:// lookaside-staging "
                       "location in registries.d",
                       *first);
  }
  std::string dir = first_path->substr(0, first_path->rfind('/'));
  BURROW_CHECK(base::make_dirs(dir, 0755));
  return link_first_free(dir, signature, [&](int index) {
    return *file_path(*signature_url(config, ref, manifest_digest, index, true));
  });
}

base::Result<LookasideConfig> load_lookaside_config_with_default(
    const std::optional<std::string>& dir_flag) {
  BURROW_TRY(LookasideConfig config, load_lookaside_config(dir_flag));
  config.builtin_default =
      host_euid() == 0 ? "file:///var/lib/containers/sigstore"
                       : "file://" + base::path_join(user_data_home(), "containers/sigstore");
  return config;
}

}  // namespace burrow::registry

#include "engine/seccomp_cache.h"

#include <seccomp.h>

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/digest.h"
#include "base/file_util.h"
#include "base/log.h"
#include "runtime/capabilities.h"
#include "runtime/seccomp_profile.h"

namespace burrow::engine {
namespace {

struct CacheKey {
  std::string hex;
  std::string dir;
};

uint32_t kernel_version_code(const std::string& release) {
  unsigned major = 0, minor = 0, patch = 0;
  std::sscanf(release.c_str(), "%u.%u.%u", &major, &minor, &patch);
  return runtime::kernel_version(major, minor, std::min(patch, 255u));
}

// The capabilities as a bit set: part of a file name, and independent of
// the order they were listed in. Names were checked when the set was built.
uint64_t capability_bits(const std::vector<std::string>& caps) {
  uint64_t bits = 0;
  for (const auto& name : caps) {
    auto number = runtime::capability_from_name(name);
    if (number && *number >= 0 && *number < 64) bits |= uint64_t{1} << *number;
  }
  return bits;
}

// Everything that shapes the filter: the profile, the capabilities that gate
// its rules, the architecture, the kernel and the libseccomp that compiled it.
// The embedded profile's digest is known at build time; only a profile from a
// file is hashed here.
CacheKey cache_key(const StorePaths& paths, const std::string& profile, bool embedded,
                   const std::string& arch, uint32_t kernel, const std::vector<std::string>& caps) {
  const scmp_version* version = seccomp_version();
  std::string profile_hex =
      embedded ? std::string(runtime::default_seccomp_profile_sha256()) : base::sha256_hex(profile);
  std::string name =
      fmt::format("{}-{}-{:x}-{}.{}.{}-{:x}", profile_hex, arch, kernel, version->major,
                  version->minor, version->micro, capability_bits(caps));
  return {name, base::path_join(paths.run_root, "seccomp")};
}

std::optional<ContainerSeccomp> read_cache(const CacheKey& key) {
  auto spec_text = base::read_file_limited(base::path_join(key.dir, key.hex + ".json"), 8 << 20);
  auto bpf = base::read_file_limited(base::path_join(key.dir, key.hex + ".bpf"), 8 << 20);
  if (!spec_text || !bpf || bpf->size() < 1 || (bpf->size() - 1) % sizeof(sock_filter) != 0)
    return std::nullopt;
  auto json = nlohmann::json::parse(*spec_text, nullptr, false);
  if (json.is_discarded()) return std::nullopt;
  ContainerSeccomp cached;
  try {
    cached.spec = json.get<runtime::Seccomp>();
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  // First byte: the flags; then the raw filter.
  cached.program.log = (*bpf)[0] & 1;
  cached.program.spec_allow = (*bpf)[0] & 2;
  cached.program.filter.resize((bpf->size() - 1) / sizeof(sock_filter));
  std::memcpy(cached.program.filter.data(), bpf->data() + 1, bpf->size() - 1);
  return cached;
}

void write_cache(const CacheKey& key, const ContainerSeccomp& entry) {
  std::string bpf(
      1, static_cast<char>((entry.program.log ? 1 : 0) | (entry.program.spec_allow ? 2 : 0)));
  bpf.append(reinterpret_cast<const char*>(entry.program.filter.data()),
             entry.program.filter.size() * sizeof(sock_filter));
  nlohmann::json spec = entry.spec;
  // Written atomically: a concurrent reader sees a whole entry or none. The
  // JSON goes last, so a reader that finds it also finds the filter.
  Status written = base::make_dirs(key.dir, 0700);
  if (written)
    written = base::write_file_atomic(base::path_join(key.dir, key.hex + ".bpf"), bpf, 0600, false);
  if (written)
    written = base::write_file_atomic(base::path_join(key.dir, key.hex + ".json"), spec.dump(),
                                      0600, false);
  if (!written) base::debug("not caching the seccomp filter: {}", written.error().message);
}

Result<std::string> profile_text(const CreateOptions& options) {
  if (!options.seccomp_profile) return std::string(runtime::default_seccomp_profile_json());
  auto text = base::read_file_limited(*options.seccomp_profile, 4 << 20);
  if (!text) return tl::unexpected(text.error().with_context("reading the seccomp profile"));
  return text;
}

}  // namespace

Result<std::optional<ContainerSeccomp>> container_seccomp(
    const StorePaths& paths, const HostProfile& host, const CreateOptions& options,
    const std::vector<std::string>& bounding_capabilities) {
  if (options.privileged || options.seccomp_profile == "unconfined")
    return std::optional<ContainerSeccomp>();
  BURROW_TRY(std::string profile, profile_text(options));
  BURROW_TRY(std::string arch, runtime::native_seccomp_arch());
  uint32_t kernel = kernel_version_code(host.kernel_release);
  CacheKey key =
      cache_key(paths, profile, !options.seccomp_profile, arch, kernel, bounding_capabilities);
  if (auto cached = read_cache(key)) return std::optional<ContainerSeccomp>(std::move(*cached));
  ContainerSeccomp fresh;
  auto parsed = runtime::parse_seccomp_file(profile, bounding_capabilities, arch, kernel);
  if (!parsed) return tl::unexpected(parsed.error().with_context("seccomp profile"));
  fresh.spec = std::move(*parsed);
  BURROW_TRY(fresh.program, runtime::compile_seccomp(fresh.spec));
  write_cache(key, fresh);
  return std::optional<ContainerSeccomp>(std::move(fresh));
}

}  // namespace burrow::engine

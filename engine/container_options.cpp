#include "engine/container_options.h"

#include <limits.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

#include "base/file_util.h"
#include "base/strings.h"

namespace burrow::engine {
namespace {

bool is_propagation(const std::string& option) {
  static const char* kModes[] = {"private", "rprivate", "shared", "rshared", "slave", "rslave"};
  return std::find(std::begin(kModes), std::end(kModes), option) != std::end(kModes);
}

Result<std::string> absolute_source(const std::string& source) {
  if (source.empty()) return base::fail(EINVAL, "empty volume source");
  if (source.front() == '/') return source;
  if (source.front() != '.')
    return base::failf(EINVAL,
                       "named volume \"{}\": named volumes are not supported yet; give a host "
                       "path (absolute, or starting with ./)",
                       source);
  char cwd[PATH_MAX];
  if (!::getcwd(cwd, sizeof cwd)) return base::fail_errno("getcwd");
  return base::path_join(cwd, source);
}

Result<uint64_t> parse_limit_value(std::string_view text) {
  if (text == "-1" || text == "unlimited") return uint64_t{RLIM_INFINITY};
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    return base::failf(EINVAL, "invalid ulimit value \"{}\"", text);
  return value;
}

}  // namespace

Result<BindVolume> parse_volume(const std::string& spec) {
  auto parts = base::split(spec, ':');
  if (parts.size() < 2 || parts.size() > 3)
    return base::failf(EINVAL,
                       "invalid volume \"{}\": use -v SOURCE:DESTINATION[:OPTIONS] (anonymous "
                       "volumes are not supported yet)",
                       spec);
  BindVolume volume;
  BURROW_TRY(volume.source, absolute_source(parts[0]));
  volume.destination = parts[1];
  if (volume.destination.empty() || volume.destination.front() != '/')
    return base::failf(EINVAL, "invalid volume \"{}\": the destination must be an absolute path",
                       spec);
  if (parts.size() == 3) {
    for (const auto& option : base::split(parts[2], ',')) {
      if (option == "ro")
        volume.readonly = true;
      else if (option == "rw" || option == "z" || option == "Z" || option.empty())
        continue;
      else if (is_propagation(option))
        volume.propagation = option;
      else
        return base::failf(EINVAL, "invalid volume option \"{}\" in \"{}\"", option, spec);
    }
  }
  if (!base::path_exists(volume.source))
    return base::failf(ENOENT, "statfs {}: no such file or directory", volume.source);
  return volume;
}

Result<Ulimit> parse_ulimit(const std::string& spec) {
  size_t eq = spec.find('=');
  if (eq == std::string::npos)
    return base::failf(EINVAL, "invalid ulimit \"{}\": use NAME=SOFT[:HARD]", spec);
  std::string name = spec.substr(0, eq);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (!base::starts_with(name, "RLIMIT_")) name = "RLIMIT_" + name;
  auto values = base::split(spec.substr(eq + 1), ':');
  if (values.size() > 2) return base::failf(EINVAL, "invalid ulimit \"{}\"", spec);
  Ulimit limit{name, 0, 0};
  BURROW_TRY(limit.soft, parse_limit_value(values[0]));
  limit.hard = limit.soft;
  if (values.size() == 2) {
    BURROW_TRY(limit.hard, parse_limit_value(values[1]));
  }
  if (limit.soft > limit.hard)
    return base::failf(EINVAL, "ulimit \"{}\": the soft limit is above the hard limit", spec);
  return limit;
}

std::optional<std::string> resolve_env_flag(const std::string& flag) {
  if (flag.find('=') != std::string::npos) return flag;
  const char* value = std::getenv(flag.c_str());
  if (!value) return std::nullopt;
  return flag + "=" + value;
}

Result<std::vector<std::string>> read_env_file(const std::string& path) {
  BURROW_TRY(std::string content, base::read_file_limited(path, 4 << 20));
  std::vector<std::string> env;
  for (const auto& raw : base::split(content, '\n')) {
    std::string_view line = base::trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (auto entry = resolve_env_flag(std::string(line))) env.push_back(*entry);
  }
  return env;
}

Result<std::string> parse_network_mode(const std::string& mode) {
  if (mode == "none" || mode == "host") return mode;
  return base::failf(EINVAL,
                     "network mode \"{}\" is not supported yet: use --network none or --network "
                     "host",
                     mode);
}

Result<std::string> resolve_init_path(const std::optional<std::string>& requested) {
  if (requested) {
    if (requested->empty() || requested->front() != '/')
      return base::failf(EINVAL, "--init-path \"{}\" must be an absolute path", *requested);
    if (::access(requested->c_str(), X_OK) != 0)
      return base::failf(ENOENT, "--init-path {} is not an executable file", *requested);
    return *requested;
  }
  for (const char* path : {"/usr/libexec/podman/catatonit", "/usr/bin/catatonit"})
    if (::access(path, X_OK) == 0) return std::string(path);
  return base::fail(ENOENT,
                    "--init needs catatonit: install the catatonit package or give --init-path");
}

}  // namespace burrow::engine

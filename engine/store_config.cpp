#include "engine/store_config.h"

#include <toml++/toml.h>

#include <cstdlib>

#include "base/file_util.h"

namespace burrow::engine {
namespace {

Status read_string(const toml::table& storage, const char* key, const std::string& origin,
                   std::optional<std::string>& target) {
  const toml::node* node = storage.get(key);
  if (!node) return base::ok();
  auto value = node->value<std::string>();
  if (!value) return base::failf(EINVAL, "{}: storage.{} must be a string", origin, key);
  if (!target) target = *value;
  return base::ok();
}

}  // namespace

std::string store_config_path(const HostProfile& host) {
  if (!host.rootless) return "/etc/burrow/storage.conf";
  const char* config_home = std::getenv("XDG_CONFIG_HOME");
  std::string base_dir =
      config_home && *config_home == '/' ? config_home : base::path_join(host.home, ".config");
  return base::path_join(base_dir, "burrow/storage.conf");
}

Status apply_store_config(std::string_view toml_text, const std::string& origin,
                          StoreOptions& options) {
  toml::table parsed;
  try {
    parsed = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    return base::failf(EINVAL, "{}:{}: {}", origin, e.source().begin.line, e.description());
  }
  const toml::table* storage = parsed["storage"].as_table();
  if (!storage) return base::ok();
  BURROW_CHECK(read_string(*storage, "driver", origin, options.storage_driver));
  BURROW_CHECK(read_string(*storage, "graphroot", origin, options.graph_root));
  return read_string(*storage, "runroot", origin, options.run_root);
}

Status load_store_config(const HostProfile& host, StoreOptions& options) {
  std::string path = store_config_path(host);
  if (!base::path_exists(path)) return base::ok();
  BURROW_TRY(std::string text, base::read_file_limited(path, 1 << 20));
  return apply_store_config(text, path, options);
}

}  // namespace burrow::engine

#include "cli/context.h"

#include <fmt/core.h>
#include <unistd.h>

#include "engine/store_config.h"
#include "storage-fuse/rootfs_mount.h"

namespace burrow::cli {

const engine::HostProfile& Context::host() {
  if (!host_) host_ = engine::HostProfile::probe();
  return *host_;
}

Result<std::unique_ptr<engine::Engine>> Context::open_engine(engine::Access access) {
  engine::StoreOptions options{global.root, global.runroot, global.storage_driver};
  BURROW_CHECK(engine::load_store_config(host(), options));
  if (options.storage_driver) BURROW_CHECK(storage::parse_storage_driver(*options.storage_driver));
  return engine::Engine::open(host(), options, access);
}

int report_error(const Error& error) {
  std::string line = fmt::format("Error: {}\n", error.message);
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
  return error.exit_status ? error.exit_status : kExitEngineError;
}

}  // namespace burrow::cli

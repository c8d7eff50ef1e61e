#include "engine/engine.h"

#include "base/file_util.h"
#include "base/log.h"
#include "userns/keeper.h"

namespace burrow::engine {
namespace {

Status enter_user_namespace(const HostProfile& host, const StorePaths& paths) {
  auto plan = userns::plan_rootless_maps(host.uid, host.gid, host.subuids, host.subgids);
  if (plan.single_id)
    base::warn(
        "no subordinate ids for user {} in /etc/subuid and /etc/subgid: using a single id "
        "mapping, so images with files owned by other users will fail (see docs/rootless.md)",
        host.user_name.empty() ? std::to_string(host.uid) : host.user_name);
  return userns::enter_keeper({paths.run_root, plan, host.map_helpers});
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::open(const HostProfile& host, const StoreOptions& options,
                                             Access access) {
  StorePaths paths = default_store_paths(host, options);
  BURROW_CHECK(prepare_store_paths(paths, host));
  if (access == Access::kModify && host.rootless) BURROW_CHECK(enter_user_namespace(host, paths));
  base::debug("engine: store ready; opening the state database");
  BURROW_TRY(Database db, Database::open(paths.database()));
  return std::make_unique<Engine>(host, options, std::move(paths), std::move(db));
}

Result<base::FileLock> lock_storage(const StorePaths& paths) {
  return base::FileLock::acquire(base::path_join(paths.graph_root, "storage.lock"));
}

}  // namespace burrow::engine

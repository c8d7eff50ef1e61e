// Runs in the CLI, inside the keeper's namespaces when rootless.
#include "engine/container_export.h"

#include "base/file_util.h"
#include "engine/container_mount.h"
#include "storage-fuse/tar_writer.h"

namespace burrow::engine {

Status export_container(Engine& engine, const std::string& reference, int out_fd) {
  BURROW_TRY(auto access, RootfsAccess::open(engine, reference));
  BURROW_TRY(base::UniqueFd root, base::open_dir(access.merged()));
  storage::TarWriter writer;
  BURROW_CHECK(writer.open(out_fd));
  BURROW_CHECK(writer.add_tree(root.get(), "", ""));
  return writer.close();
}

}  // namespace burrow::engine

#include "storage-fuse/layer_unpack.h"

#include <archive_entry.h>
#include <sys/stat.h>

#include "base/file_util.h"
#include "storage-fuse/layer_stream.h"
#include "storage-fuse/layer_unpacker.h"
#include "storage-fuse/safe_path.h"

namespace burrow::storage {

base::Result<UnpackStats> unpack_layer(int layer_fd, const std::string& dest_dir,
                                       const UnpackOptions& options) {
  BURROW_TRY(base::UniqueFd root, base::open_dir(dest_dir));
  // The caller's fresh directory is usually mkdtemp's 0700; a layer root
  // becomes the container's "/" and must be traversable by its users.
  if (::fchmod(root.get(), 0755) != 0) return base::fail_errno("chmod {}", dest_dir);

  LayerStream stream;
  BURROW_CHECK(stream.open(layer_fd));
  UnpackStats stats;
  Unpacker unpacker(root.get(), options, &stats);
  for (;;) {
    BURROW_TRY(archive_entry * entry, stream.next_entry());
    if (!entry) break;
    ++stats.entries;
    BURROW_CHECK(unpacker.apply(stream, entry));
  }
  BURROW_CHECK(unpacker.finish_directories());
  BURROW_TRY(stats.diff_id, stream.finish());
  return stats;
}

base::Result<UnpackStats> extract_archive(int archive_fd, int dest_fd,
                                          const UnpackOptions& options) {
  LayerStream stream;
  BURROW_CHECK(stream.open(archive_fd));
  UnpackStats stats;
  Unpacker unpacker(dest_fd, options, &stats);
  for (;;) {
    BURROW_TRY(archive_entry * entry, stream.next_entry());
    if (!entry) break;
    ++stats.entries;
    const char* raw = archive_entry_pathname(entry);
    BURROW_TRY(auto components, normalize_entry_path(raw ? raw : ""));
    if (components.empty()) continue;
    BURROW_CHECK(unpacker.apply(stream, entry));
  }
  BURROW_CHECK(unpacker.finish_directories());
  BURROW_TRY(stats.diff_id, stream.finish());
  return stats;
}

}  // namespace burrow::storage

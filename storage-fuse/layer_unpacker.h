// Internal to layer_unpack: applies tar entries one by one beneath a
// directory fd. Runs in whichever process unpacks (the CLI, inside the
// keeper's user namespace when rootless).
#pragma once

#include <sys/stat.h>
#include <time.h>

#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "storage-fuse/layer_stream.h"
#include "storage-fuse/layer_unpack.h"

namespace burrow::storage {

class Unpacker {
 public:
  Unpacker(int root_fd, const UnpackOptions& options, UnpackStats* stats)
      : root_fd_(root_fd), options_(options), stats_(stats) {}

  base::Status apply(LayerStream& stream, archive_entry* entry);
  // Directory modes and times go last: creating children would change the
  // times, and a read-only mode would stop an unprivileged unpack midway.
  base::Status finish_directories();

 private:
  // Where an entry goes: its parent directory, opened beneath the root.
  struct Target {
    std::string raw;  // the path as written in the archive, for messages
    std::vector<std::string> components;
    base::UniqueFd parent;
    std::string name;
  };
  struct PendingDir {
    std::string rel;
    size_t depth = 0;
    mode_t mode = 0;
    bool has_times = false;
    struct timespec times[2] = {};
  };

  base::Result<Target> resolve(const char* raw);
  base::Status apply_whiteout(const Target& target);
  // With replace_other_types off: refuses a directory over a non-directory
  // and the reverse.
  base::Status check_replace(const Target& target, bool entry_is_dir);
  base::Status make_directory(const Target& target, archive_entry* entry);
  base::Status make_file(const Target& target, LayerStream& stream, archive_entry* entry);
  base::Status make_symlink(const Target& target, archive_entry* entry);
  base::Status make_hardlink(const Target& target, archive_entry* entry);
  base::Status make_node(const Target& target, archive_entry* entry);

  // fd >= 0: act on that descriptor; otherwise on target.name in its parent.
  base::Status set_owner(const Target& target, int fd, archive_entry* entry);
  base::Status set_xattrs(const Target& target, int fd, archive_entry* entry);
  base::Status set_times(const Target& target, int fd, archive_entry* entry);

  int root_fd_;
  UnpackOptions options_;
  UnpackStats* stats_;
  std::vector<PendingDir> pending_dirs_;
};

}  // namespace burrow::storage

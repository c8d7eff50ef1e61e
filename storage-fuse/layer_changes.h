// What a container changed on top of its image's layers: from an overlay
// upper directory (kernel overlay or fuse-overlayfs) or, for vfs, by
// comparing the full copy with the layers. Feeds `burrow diff` and the new
// layer of `burrow commit`.
#pragma once

#include <sys/stat.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "storage-fuse/tar_writer.h"

namespace burrow::storage {

enum class ChangeKind { kAdded, kChanged, kDeleted };

struct Change {
  ChangeKind kind = ChangeKind::kAdded;
  std::string path;  // "/etc/passwd"
  // Added or changed: a directory hiding everything the layers have below
  // it. Deleted: implied by such a directory (no whiteout of its own).
  bool opaque = false;
  // Changed directory whose own mode and owner are the layers': it is listed
  // only because entries in it changed (its mtime moved with them).
  bool same_metadata = false;
};

// Overlay whiteouts: a 0:0 character device (kernel overlay, fuse-overlayfs
// as root), or a ".wh.NAME" file (fuse-overlayfs when mknod is refused).
bool is_whiteout_device(const struct stat& st);
// "NAME" for ".wh.NAME"; nullopt for other names, for the opaque marker and
// for ".wh..wh.*" (aufs and fuse-overlayfs metadata, never a user's file).
std::optional<std::string> whiteout_file_target(std::string_view name);
// Names a layer can never hold as plain files: every ".wh." name.
bool is_whiteout_name(std::string_view name);
// ".wh..wh..opq", fuse-overlayfs's marker file for an opaque directory.
bool is_opaque_marker(std::string_view name);
// The xattrs that mark an opaque directory: trusted.overlay.opaque (overlay
// as root without userxattr), user.overlay.opaque, user.fuseoverlayfs.opaque.
bool is_opaque_dir(int dir_fd);

// Sorted by path, as Podman prints them.
void sort_changes(std::vector<Change>& changes);

// Pure. Drops the changes whose path `ignored` accepts (the runtime's mount
// points) and then the directories listed only because of them: added, or
// changed with the same metadata, with nothing else changed below them.
// Without this an image lacking /etc/hosts shows "C /etc" in every
// container that ran (a long-standing Podman complaint).
void drop_ignored_changes(std::vector<Change>& changes,
                          const std::function<bool(const std::string&)>& ignored);

// `lower_dirs` top-most first, each in the overlay format layer_unpack writes.
base::Result<std::vector<Change>> overlay_changes(const std::string& upper_dir,
                                                  const std::vector<std::string>& lower_dirs);
base::Result<std::vector<Change>> copy_changes(const std::string& merged_dir,
                                               const std::vector<std::string>& lower_dirs);

// The changes as a layer: added and changed entries read from `source_fd`
// (the upper or merged directory), deletions as ".wh.NAME", opaque
// directories followed by ".wh..wh..opq". `changes` must be sorted.
base::Status write_changes(TarWriter& writer, int source_fd, const std::vector<Change>& changes);

}  // namespace burrow::storage

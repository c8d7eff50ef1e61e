// Unpacks one image layer (tar, tar+gzip or tar+zstd) into a directory in the
// overlay format: OCI whiteouts become 0:0 character devices and opaque
// directories carry user.overlay.opaque=y (overlay is always mounted with
// "userxattr", and fuse-overlayfs reads the same attribute).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"

namespace burrow::storage {

struct UnpackOptions {
  // chown entries to the tar's uid/gid. Needs root or a user namespace that
  // maps those ids; when false entries belong to the unpacking user.
  bool preserve_ownership = true;
  // Entries belong to these ids instead (burrow cp into a container: its
  // primary user); wins over preserve_ownership.
  std::optional<uint32_t> owner_uid, owner_gid;
  // Layers: ".wh." names are whiteouts. Copies of user files: plain names.
  bool whiteouts = true;
  // Layers replace whatever is in the way. Copies refuse to replace a
  // directory with a non-directory or the reverse (cp --overwrite allows it).
  bool replace_other_types = true;
  bool xattrs = true;
};

struct UnpackStats {
  std::string diff_id;           // "sha256:<hex>" of the uncompressed tar
  uint64_t size = 0;             // uncompressed bytes of file content
  uint64_t entries = 0;          // tar entries seen, whiteouts included
  uint64_t skipped_devices = 0;  // device nodes not created (mknod: EPERM)
};

// `layer_fd` is borrowed and read from its current offset. `dest_dir` must
// exist and be empty; its mode becomes 0755 unless the layer has a "./"
// entry. On error the caller removes dest_dir: nothing here cleans up. Every
// entry is created beneath dest_dir without following symlinks out of it;
// ".." components, symlinks and hard links leading outside are errors.
base::Result<UnpackStats> unpack_layer(int layer_fd, const std::string& dest_dir,
                                       const UnpackOptions& options);

// Extracts a plain tar stream (possibly compressed) from `archive_fd` into
// the existing directory `dest_fd` (both borrowed), with the same safety as
// unpack_layer: nothing is created or followed outside dest_fd. Entries for
// the destination itself ("./") are skipped, so its own owner and mode stay.
base::Result<UnpackStats> extract_archive(int archive_fd, int dest_fd,
                                          const UnpackOptions& options);

}  // namespace burrow::storage

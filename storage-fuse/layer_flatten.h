// Flattening for the vfs driver: applies one unpacked layer (in the overlay
// format layer_unpack writes) onto a plain directory tree, bottom-up.
#pragma once

#include <string>

#include "base/result.h"

namespace burrow::storage {

// Copies `layer_dir` onto `target_dir` with overlay semantics: a 0:0
// character device deletes the entry of that name, a directory marked
// user.overlay.opaque=y replaces the target directory's contents, a
// directory meeting a non-directory (or the reverse) replaces it. Modes,
// symlinks, times and xattrs are kept; ownership where the process may set
// it (best effort when unprivileged); hard links within the layer stay hard
// links. Nothing in target_dir is followed: each step opens one component
// with O_NOFOLLOW below a descriptor that is already inside.
base::Status apply_layer_dir(const std::string& layer_dir, const std::string& target_dir);

}  // namespace burrow::storage

// Which extended attributes an image layer may carry into storage.
#pragma once

#include <string_view>

namespace burrow::storage {

// Keeps user.* and security.capability. Refuses user.overlay.* and
// user.fuseoverlayfs.*: overlay (userxattr) and fuse-overlayfs read those as
// their own metadata, so a layer supplying them could fake whiteouts,
// redirects or even the ownership and mode fuse-overlayfs reports.
bool keep_layer_xattr(std::string_view name);

}  // namespace burrow::storage

#include "storage-fuse/layer_xattr.h"

namespace burrow::storage {

bool keep_layer_xattr(std::string_view name) {
  if (name == "security.capability") return true;
  if (!name.starts_with("user.")) return false;
  return !name.starts_with("user.overlay.") && !name.starts_with("user.fuseoverlayfs.");
}

}  // namespace burrow::storage

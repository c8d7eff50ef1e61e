// `burrow cp`: files and directories between a container and the host, or
// a tar stream on stdin/stdout ("-"). Paths in the container are resolved
// as if the container's root were "/" (RESOLVE_IN_ROOT): its symlinks, even
// absolute or "../.." ones, never lead to the host.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "engine/engine.h"

namespace burrow::engine {

struct CopyLocation {
  std::optional<std::string> container;  // nullopt: the host
  std::string path;                      // "-": stdin or stdout
};

struct CopyRequest {
  CopyLocation source, dest;
  // Files copied into a container belong to its primary user (Podman's
  // --archive, the default); false keeps the ids the source has.
  bool archive = true;
  bool overwrite = false;    // replace a directory with a file and the reverse
  bool follow_link = false;  // accepted; the source's last symlink is always followed
};

// Pure. "CONTAINER:PATH" names a container path unless the argument is an
// absolute path; exactly one side must be a container, and "-" only on the
// host side.
Result<CopyRequest> parse_copy_args(const std::string& source, const std::string& dest);

// What the destination looks like, for plan_copy.
struct DestState {
  bool exists = false;
  bool is_dir = false;
  bool parent_is_dir = false;
};

// Where a copy lands: the directory it is extracted into and the name the
// source gets there ("" when a directory's contents go straight in).
struct CopyTarget {
  std::string dir;
  std::string name;
};

// Pure: docker cp's rules. `where` names the destination's side in errors
// ("on container web", "on the host").
Result<CopyTarget> plan_copy(const std::string& source_path, bool source_is_dir,
                             const std::string& dest_path, const DestState& dest,
                             const std::string& where);

// Runs the copy; stdin/stdout for "-".
Status copy_files(Engine& engine, const CopyRequest& request);

}  // namespace burrow::engine

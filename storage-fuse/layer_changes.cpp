// Runs in the CLI, inside the keeper's namespaces when rootless. The upper
// directory and the layers are untrusted trees: every step opens one
// component with O_NOFOLLOW below a descriptor that is already inside.
#include "storage-fuse/layer_changes.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "base/file_util.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "storage-fuse/safe_path.h"

namespace burrow::storage {

using base::fail_errno;
using base::Result;
using base::Status;
using base::UniqueFd;

namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

std::string child_of(const std::string& dir, const std::string& name) { return dir + "/" + name; }

UniqueFd open_child_dir(int dir_fd, const std::string& name) {
  return UniqueFd(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

// Opens `rel` below root_fd without following any symlink at all.
Result<UniqueFd> open_no_symlinks(int root_fd, const std::string& rel, int flags) {
  return base::open_resolved(root_fd, rel, flags,
                             RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
}

// The image's layers as overlay shows them, for telling added from changed.
class LayerStack {
 public:
  static Result<LayerStack> open(const std::vector<std::string>& dirs) {
    LayerStack stack;
    for (const auto& dir : dirs) {
      BURROW_TRY(UniqueFd fd, base::open_dir(dir));
      stack.layers_.push_back(std::move(fd));
    }
    return stack;
  }

  // What the layers show at `path` ("/a/b"), or nullopt when nothing.
  std::optional<struct stat> lookup(const std::string& path) const {
    auto components = base::split(path.substr(1), '/');
    for (const auto& layer : layers_) {
      bool hidden_below = false;
      auto found = lookup_in(layer.get(), components, &hidden_below);
      if (found.first) return found.second;
      if (hidden_below) return std::nullopt;
    }
    return std::nullopt;
  }

  // The names the layers show in directory `path` ("" for the root).
  std::vector<std::string> list(const std::string& path) const {
    std::set<std::string> candidates;
    for (const auto& layer : layers_) {
      auto dir =
          open_no_symlinks(layer.get(), path.empty() ? "" : path.substr(1), O_RDONLY | O_DIRECTORY);
      if (!dir) continue;
      auto names = list_dir_at(dir->get());
      if (!names) continue;
      for (auto& name : *names)
        if (!name.starts_with(kWhiteoutPrefix)) candidates.insert(std::move(name));
    }
    std::vector<std::string> visible;
    for (const auto& name : candidates)
      if (lookup(child_of(path, name))) visible.push_back(name);
    return visible;
  }

 private:
  // {decided, entry}: decided is true when this layer settles the lookup
  // (the entry, a whiteout, or a non-directory shadowing the path).
  static std::pair<bool, std::optional<struct stat>> lookup_in(
      int layer_fd, const std::vector<std::string>& components, bool* hidden_below) {
    UniqueFd dir;
    int current = layer_fd;
    for (size_t i = 0; i < components.size(); ++i) {
      struct stat st;
      if (::fstatat(current, components[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return {false, std::nullopt};
      if (is_whiteout_device(st)) return {true, std::nullopt};
      if (i + 1 == components.size()) return {true, st};
      if (!S_ISDIR(st.st_mode)) return {true, std::nullopt};
      dir = open_child_dir(current, components[i]);
      if (!dir) return {false, std::nullopt};
      current = dir.get();
      if (is_opaque_dir(current)) *hidden_below = true;
    }
    return {false, std::nullopt};
  }

  std::vector<UniqueFd> layers_;
};

bool has_opaque_marker(int dir_fd) {
  struct stat st;
  return ::fstatat(dir_fd, std::string(kOpaqueMarker).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

struct Walk {
  const LayerStack& lower;
  std::vector<Change>& out;
};

bool same_dir_metadata(const struct stat& a, const struct stat& b) {
  return S_ISDIR(a.st_mode) && S_ISDIR(b.st_mode) && a.st_mode == b.st_mode &&
         a.st_uid == b.st_uid && a.st_gid == b.st_gid;
}

Status walk_upper(Walk& walk, int dir_fd, const std::string& path, bool lower_hidden) {
  BURROW_TRY(auto names, list_dir_at(dir_fd));
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    std::string child = child_of(path, name);
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return fail_errno("reading {}", child);
    if (is_whiteout_name(name)) {
      // A ".wh.NAME" file is fuse-overlayfs's whiteout where mknod is
      // refused. Its opaque marker is the ".wh..wh..opq" file plus, where
      // mknod works, a ".wh..opq" whiteout device: metadata, not deletions.
      auto hidden = whiteout_file_target(name);
      if (hidden && S_ISREG(st.st_mode))
        walk.out.push_back({ChangeKind::kDeleted, child_of(path, *hidden)});
      continue;
    }
    if (is_whiteout_device(st)) {
      walk.out.push_back({ChangeKind::kDeleted, child});
      continue;
    }
    auto lower = lower_hidden ? std::nullopt : walk.lower.lookup(child);
    bool in_lower = lower.has_value();
    ChangeKind kind = in_lower ? ChangeKind::kChanged : ChangeKind::kAdded;
    if (!S_ISDIR(st.st_mode)) {
      walk.out.push_back({kind, child});
      continue;
    }
    UniqueFd sub = open_child_dir(dir_fd, name);
    if (!sub) return fail_errno("opening {}", child);
    bool opaque = is_opaque_dir(sub.get()) || has_opaque_marker(sub.get());
    walk.out.push_back({kind, child, opaque, in_lower && same_dir_metadata(st, *lower)});
    if (opaque && in_lower) {
      // Podman lists what an opaque directory hides as deleted; the layer
      // itself only needs the marker, so these are flagged as implied.
      BURROW_TRY(auto upper_names, list_dir_at(sub.get()));
      std::set<std::string> present(upper_names.begin(), upper_names.end());
      for (const auto& hidden : walk.lower.list(child))
        if (!present.count(hidden))
          walk.out.push_back({ChangeKind::kDeleted, child_of(child, hidden), true});
    }
    BURROW_CHECK(walk_upper(walk, sub.get(), child, lower_hidden || opaque || !in_lower));
  }
  return base::ok();
}

bool differs(const struct stat& a, const struct stat& b) {
  if (a.st_mode != b.st_mode || a.st_uid != b.st_uid || a.st_gid != b.st_gid) return true;
  if (a.st_mtim.tv_sec != b.st_mtim.tv_sec || a.st_mtim.tv_nsec != b.st_mtim.tv_nsec) return true;
  if (S_ISDIR(a.st_mode)) return false;
  return a.st_size != b.st_size || a.st_rdev != b.st_rdev;
}

Status walk_copy(Walk& walk, int dir_fd, const std::string& path, bool lower_absent) {
  BURROW_TRY(auto names, list_dir_at(dir_fd));
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    std::string child = child_of(path, name);
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return fail_errno("reading {}", child);
    auto lower = lower_absent ? std::nullopt : walk.lower.lookup(child);
    if (!lower)
      walk.out.push_back({ChangeKind::kAdded, child});
    else if (differs(st, *lower) || S_ISDIR(st.st_mode) != S_ISDIR(lower->st_mode))
      walk.out.push_back({ChangeKind::kChanged, child, false, same_dir_metadata(st, *lower)});
    if (!S_ISDIR(st.st_mode)) continue;
    UniqueFd sub = open_child_dir(dir_fd, name);
    if (!sub) return fail_errno("opening {}", child);
    BURROW_CHECK(walk_copy(walk, sub.get(), child, !lower || !S_ISDIR(lower->st_mode)));
  }
  if (lower_absent) return base::ok();
  std::set<std::string> present(names.begin(), names.end());
  for (const auto& name : walk.lower.list(path))
    if (!present.count(name)) walk.out.push_back({ChangeKind::kDeleted, child_of(path, name)});
  return base::ok();
}

std::pair<std::string, std::string> split_parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return {path.substr(1, slash == 0 ? 0 : slash - 1), path.substr(slash + 1)};
}

}  // namespace

bool is_whiteout_device(const struct stat& st) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0;
}

std::optional<std::string> whiteout_file_target(std::string_view name) {
  if (!is_whiteout_name(name)) return std::nullopt;
  std::string_view hidden = name.substr(kWhiteoutPrefix.size());
  if (hidden.empty() || hidden == "." || hidden == ".." || is_whiteout_name(hidden))
    return std::nullopt;
  return std::string(hidden);
}

bool is_whiteout_name(std::string_view name) { return name.starts_with(kWhiteoutPrefix); }

bool is_opaque_marker(std::string_view name) { return name == kOpaqueMarker; }

bool is_opaque_dir(int dir_fd) {
  for (const char* name :
       {"user.overlay.opaque", "trusted.overlay.opaque", "user.fuseoverlayfs.opaque"}) {
    char value[2] = {};
    if (::fgetxattr(dir_fd, name, value, sizeof value) == 1 && value[0] == 'y') return true;
  }
  return false;
}

void sort_changes(std::vector<Change>& changes) {
  std::stable_sort(changes.begin(), changes.end(),
                   [](const Change& a, const Change& b) { return a.path < b.path; });
}

void drop_ignored_changes(std::vector<Change>& changes,
                          const std::function<bool(const std::string&)>& ignored) {
  std::set<std::string> holders;  // directories an ignored path was in
  std::erase_if(changes, [&](const Change& change) {
    if (!ignored(change.path)) return false;
    holders.insert(change.path.substr(0, change.path.rfind('/')));
    return true;
  });
  auto listed_for_holding_only = [&](const Change& change) {
    if (!holders.count(change.path) || change.opaque) return false;
    if (change.kind == ChangeKind::kDeleted) return false;
    if (change.kind == ChangeKind::kChanged && !change.same_metadata) return false;
    std::string below = change.path + "/";
    return std::none_of(changes.begin(), changes.end(),
                        [&](const Change& other) { return other.path.starts_with(below); });
  };
  std::set<std::string> dropped;
  for (const auto& change : changes)
    if (listed_for_holding_only(change)) dropped.insert(change.path);
  std::erase_if(changes, [&](const Change& change) { return dropped.count(change.path) > 0; });
}

namespace {

using WalkFunction = Status (*)(Walk&, int, const std::string&, bool);

// The sorted changes `walk_dir` finds in `dir` against the lower layers.
Result<std::vector<Change>> collect_changes(const std::string& dir,
                                            const std::vector<std::string>& lower_dirs,
                                            WalkFunction walk_dir) {
  BURROW_TRY(LayerStack lower, LayerStack::open(lower_dirs));
  BURROW_TRY(UniqueFd top, base::open_dir(dir));
  std::vector<Change> changes;
  Walk walk{lower, changes};
  BURROW_CHECK(walk_dir(walk, top.get(), "", false));
  sort_changes(changes);
  return changes;
}

}  // namespace

Result<std::vector<Change>> overlay_changes(const std::string& upper_dir,
                                            const std::vector<std::string>& lower_dirs) {
  return collect_changes(upper_dir, lower_dirs, walk_upper);
}

Result<std::vector<Change>> copy_changes(const std::string& merged_dir,
                                         const std::vector<std::string>& lower_dirs) {
  return collect_changes(merged_dir, lower_dirs, walk_copy);
}

Status write_changes(TarWriter& writer, int source_fd, const std::vector<Change>& changes) {
  for (const auto& change : changes) {
    auto [parent, name] = split_parent(change.path);
    std::string prefix = parent.empty() ? "" : parent + "/";
    if (change.kind == ChangeKind::kDeleted) {
      if (change.opaque) continue;  // implied by the directory's opaque marker
      BURROW_CHECK(writer.add_empty_file(prefix + std::string(kWhiteoutPrefix) + name));
      continue;
    }
    BURROW_TRY(UniqueFd dir, open_no_symlinks(source_fd, parent, O_RDONLY | O_DIRECTORY));
    BURROW_CHECK(writer.add_entry(dir.get(), name, prefix + name));
    if (change.opaque)
      BURROW_CHECK(writer.add_empty_file(prefix + name + "/" + std::string(kOpaqueMarker)));
  }
  return base::ok();
}

}  // namespace burrow::storage

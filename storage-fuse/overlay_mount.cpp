// Kernel overlay mounts, run by the CLI in the mount namespace the rootfs
// must live in (the keeper's, when rootless). Always with "userxattr", so the
// user.overlay.* attributes written by layer_unpack are the ones overlay reads,
// as root and rootless alike.
#include "storage-fuse/overlay_mount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "base/file_util.h"
#include "base/log.h"
#include "base/scope_exit.h"
#include "base/strings.h"
#include "base/unique_fd.h"

namespace burrow::storage {

using base::fail;
using base::fail_errno;
using base::failf;
using base::Result;
using base::Status;
using base::UniqueFd;

std::string escape_overlay_path(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == ',' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

namespace {

std::string options_with_lowers(const RootfsLayout& layout,
                                const std::vector<std::string>& lowers) {
  std::string options = "lowerdir=";
  for (size_t i = 0; i < lowers.size(); ++i) {
    if (i) options += ':';
    options += escape_overlay_path(lowers[i]);
  }
  if (!layout.upper_dir.empty()) {
    options += ",upperdir=" + escape_overlay_path(layout.upper_dir);
    options += ",workdir=" + escape_overlay_path(layout.work_dir);
  }
  return options + ",userxattr";
}

// The deepest directory containing every lower dir ("" when only "/").
std::string common_parent(const std::vector<std::string>& dirs) {
  std::string common = dirs.front();
  for (const auto& dir : dirs) {
    size_t n = 0;
    while (n < common.size() && n < dir.size() && common[n] == dir[n]) ++n;
    common.resize(n);
  }
  // Cut back to a whole component: "/a/bc" and "/a/bd" share "/a", not "/a/b".
  bool whole = std::all_of(dirs.begin(), dirs.end(), [&](const std::string& d) {
    return d.size() == common.size() || d[common.size()] == '/';
  });
  if (!whole || (!common.empty() && common.back() == '/')) {
    size_t slash = common.rfind('/');
    common.resize(slash == std::string::npos ? 0 : slash);
  }
  return common;
}

}  // namespace

Result<OverlayMountData> plan_overlay_mount_data(const RootfsLayout& layout, size_t limit) {
  if (layout.lower_dirs.empty()) return fail(EINVAL, "overlay needs at least one lower directory");
  OverlayMountData plan{"", options_with_lowers(layout, layout.lower_dirs)};
  if (plan.options.size() <= limit) return plan;
  std::string parent = common_parent(layout.lower_dirs);
  if (!parent.empty()) {
    std::vector<std::string> relative;
    for (const auto& dir : layout.lower_dirs) {
      std::string rel = dir.substr(std::min(dir.size(), parent.size() + 1));
      relative.push_back(rel.empty() ? "." : rel);
    }
    plan = {parent, options_with_lowers(layout, relative)};
    if (plan.options.size() <= limit) return plan;
  }
  return failf(E2BIG,
               "{} layers make the overlay mount options {} bytes, over the kernel's limit of {} "
               "(Linux 6.8 and later take any number of layers)",
               layout.lower_dirs.size(), plan.options.size(), limit);
}

namespace {

// The new mount API reports why a mount failed in the context's log.
std::string fs_context_log(int fs_fd) {
  std::string log;
  char buffer[1024];
  for (;;) {
    ssize_t n = ::read(fs_fd, buffer, sizeof buffer);
    if (n <= 0) break;
    if (!log.empty()) log += "; ";
    log.append(buffer, static_cast<size_t>(n));
  }
  return log;
}

tl::unexpected<base::Error> fs_error(int fs_fd, std::string_view step) {
  int saved = errno;
  std::string log = fs_context_log(fs_fd);
  return failf(saved, "overlay mount: {}: {}{}{}", step, std::strerror(saved),
               log.empty() ? "" : ": ", log);
}

// fsopen/fsconfig with one "lowerdir+" per layer (Linux 6.8+): no page limit.
// *unsupported is set when this kernel lacks the API or "lowerdir+".
Status mount_with_fs_context(const RootfsLayout& layout, bool* unsupported) {
  *unsupported = false;
  UniqueFd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
  if (!fs) {
    *unsupported = errno == ENOSYS;
    return fail_errno("fsopen overlay");
  }
  for (size_t i = 0; i < layout.lower_dirs.size(); ++i) {
    const char* dir = layout.lower_dirs[i].c_str();
    if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "lowerdir+", dir, 0) != 0) {
      *unsupported = i == 0 && errno == EINVAL;
      return fs_error(fs.get(), fmt::format("lower dir {}", dir));
    }
  }
  if (!layout.upper_dir.empty()) {
    if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "upperdir", layout.upper_dir.c_str(), 0) != 0)
      return fs_error(fs.get(), "upper dir " + layout.upper_dir);
    if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "workdir", layout.work_dir.c_str(), 0) != 0)
      return fs_error(fs.get(), "work dir " + layout.work_dir);
  }
  if (::fsconfig(fs.get(), FSCONFIG_SET_FLAG, "userxattr", nullptr, 0) != 0)
    return fs_error(fs.get(), "userxattr");
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    return fs_error(fs.get(), "creating the mount");
  UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, 0));
  if (!mnt) return fs_error(fs.get(), "fsmount");
  if (::move_mount(mnt.get(), "", AT_FDCWD, layout.merged_dir.c_str(), MOVE_MOUNT_F_EMPTY_PATH) !=
      0)
    return fail_errno("overlay mount: attaching at {}", layout.merged_dir);
  return base::ok();
}

class OverlayMounter : public RootfsMounter {
 public:
  Status mount(const RootfsLayout& layout) override {
    if (layout.lower_dirs.empty())
      return fail(EINVAL, "overlay needs at least one lower directory");
    bool unsupported = false;
    auto mounted = mount_with_fs_context(layout, &unsupported);
    if (mounted || !unsupported) return mounted;
    base::debug("no lowerdir+ on this kernel ({}); using mount(2)", mounted.error().message);
    return mount_overlay_legacy(layout);
  }

  Status unmount(const RootfsLayout& layout) override {
    // MNT_DETACH: a process still inside must not keep the engine waiting.
    if (::umount2(layout.merged_dir.c_str(), MNT_DETACH) == 0) return base::ok();
    if (errno == EINVAL || errno == ENOENT) return base::ok();  // not mounted
    return fail_errno("unmounting {}", layout.merged_dir);
  }
};

}  // namespace

namespace {

// Relative lower dirs need a chdir, which is safe because the CLI mounts
// while still single-threaded.
Status mount_with_data(const RootfsLayout& layout, const OverlayMountData& plan) {
  UniqueFd saved_cwd;
  if (!plan.chdir_to.empty()) {
    saved_cwd.reset(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!saved_cwd) return fail_errno("saving the working directory");
    if (::chdir(plan.chdir_to.c_str()) != 0) return fail_errno("chdir {}", plan.chdir_to);
  }
  int rc = ::mount("overlay", layout.merged_dir.c_str(), "overlay", 0, plan.options.c_str());
  int saved = errno;
  if (saved_cwd && ::fchdir(saved_cwd.get()) != 0)
    base::warn("could not restore the working directory: {}", std::strerror(errno));
  errno = saved;
  if (rc != 0) return fail_errno("overlay mount at {}", layout.merged_dir);
  return base::ok();
}

}  // namespace

Status mount_overlay_legacy(const RootfsLayout& layout) {
  long page = ::sysconf(_SC_PAGESIZE);
  size_t limit = static_cast<size_t>(page > 0 ? page : 4096) - 1;
  auto plan = plan_overlay_mount_data(layout, limit);
  if (plan) return mount_with_data(layout, *plan);
  if (plan.error().code != E2BIG) return tl::unexpected(plan.error());

  // Too long even relative: point short symlinks ("0", "1", ...) in a
  // scratch directory at the lower dirs. overlay resolves them while
  // mounting, so the directory goes away right after.
  std::string merged_parent = layout.merged_dir.substr(0, layout.merged_dir.rfind('/'));
  BURROW_TRY(std::string links,
             base::make_temp_dir(merged_parent.empty() ? "/" : merged_parent, ".overlay-lowers-"));
  base::ScopeExit remove_links([&] { (void)base::remove_tree(links); });
  RootfsLayout short_layout = layout;
  for (size_t i = 0; i < layout.lower_dirs.size(); ++i) {
    short_layout.lower_dirs[i] = base::path_join(links, std::to_string(i));
    if (::symlink(layout.lower_dirs[i].c_str(), short_layout.lower_dirs[i].c_str()) != 0)
      return fail_errno("linking {}", layout.lower_dirs[i]);
  }
  BURROW_TRY(OverlayMountData short_plan, plan_overlay_mount_data(short_layout, limit));
  return mount_with_data(short_layout, short_plan);
}

std::unique_ptr<RootfsMounter> make_overlay_mounter() { return std::make_unique<OverlayMounter>(); }

}  // namespace burrow::storage

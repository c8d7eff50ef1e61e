// Runs in the CLI, inside the keeper's namespaces when rootless: files
// written into a container are created as its (namespace) ids, and files
// copied out belong to the calling user.
#include "engine/container_cp.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "base/file_util.h"
#include "engine/container_config.h"
#include "engine/container_mount.h"
#include "engine/user_lookup.h"
#include "image/image_config.h"
#include "storage-fuse/layer_unpack.h"
#include "storage-fuse/tar_writer.h"

namespace burrow::engine {
namespace {

using base::UniqueFd;

constexpr uint64_t kInRoot = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

// The digest of zero bytes: the diff_id of an archive stream with nothing in it.
constexpr std::string_view kEmptyInputDigest =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string strip_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// "/a/b/" -> "b"; "/a/b/." -> "b"; "/" -> "".
std::string base_name(std::string path) {
  path = strip_trailing_slashes(std::move(path));
  while (path.size() > 2 && path.ends_with("/."))
    path = strip_trailing_slashes(path.substr(0, path.size() - 2));
  size_t slash = path.rfind('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return name == "." ? "" : name;
}

std::string parent_dir(const std::string& path) {
  std::string trimmed = strip_trailing_slashes(path);
  size_t slash = trimmed.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : trimmed.substr(0, slash);
}

bool names_contents(const std::string& path) { return path == "." || path.ends_with("/."); }

tl::unexpected<Error> not_found(const std::string& path, const std::string& where) {
  return base::failf(ENOENT, "\"{}\" could not be found {}: no such file or directory", path,
                     where);
}

// A source as a directory fd and a name in it ("" for the fd itself).
struct Source {
  UniqueFd parent;
  std::string name;
  bool is_dir = false;
};

Result<std::string> fd_path(int fd) {
  char buffer[PATH_MAX + 1];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), buffer, PATH_MAX);
  if (n < 0) return base::fail_errno("reading {}", link);
  return std::string(buffer, static_cast<size_t>(n));
}

// Resolves `path` inside the container's root, following symlinks there
// (so "/escape/etc" with escape -> "/" is the container's /etc), then
// reopens it as parent + name so the tar writer never follows anything.
Result<Source> container_source(int root_fd, const std::string& path, const std::string& where) {
  auto target = base::open_resolved(root_fd, path, O_PATH | O_CLOEXEC, kInRoot);
  if (!target && (target.error().code == ENOENT || target.error().code == ENOTDIR))
    return not_found(path, where);
  if (!target) return tl::unexpected(target.error().with_context(path));
  BURROW_TRY(std::string root, fd_path(root_fd));
  BURROW_TRY(std::string real, fd_path(target->get()));
  if (real != root && !real.starts_with(root == "/" ? root : root + "/"))
    return base::failf(EXDEV, "\"{}\" resolves outside the container", path);
  std::string rel = real.substr(root == "/" ? 0 : root.size());
  struct stat st;
  if (::fstat(target->get(), &st) != 0) return base::fail_errno("stat {}", path);
  Source source;
  source.is_dir = S_ISDIR(st.st_mode);
  if (rel.empty() || rel == "/") {
    BURROW_TRY(source.parent,
               base::open_resolved(root_fd, "", O_RDONLY | O_DIRECTORY | O_CLOEXEC, kInRoot));
    return source;
  }
  source.name = base_name(rel);
  BURROW_TRY(source.parent, base::open_resolved(root_fd, parent_dir(rel),
                                                O_RDONLY | O_DIRECTORY | O_CLOEXEC, kInRoot));
  return source;
}

Result<Source> host_source(const std::string& path) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (!resolved) return not_found(path, "on the host");
  std::string real = resolved;
  std::free(resolved);
  struct stat st;
  if (::stat(real.c_str(), &st) != 0) return not_found(path, "on the host");
  Source source;
  source.is_dir = S_ISDIR(st.st_mode);
  source.name = base_name(real);
  BURROW_TRY(source.parent, base::open_dir(source.name.empty() ? "/" : parent_dir(real)));
  return source;
}

DestState container_dest_state(int root_fd, const std::string& path) {
  DestState state;
  struct stat st;
  auto dest = base::open_resolved(root_fd, path, O_PATH | O_CLOEXEC, kInRoot);
  if (dest && ::fstat(dest->get(), &st) == 0) {
    state.exists = true;
    state.is_dir = S_ISDIR(st.st_mode);
  }
  auto parent = base::open_resolved(root_fd, parent_dir(path), O_PATH | O_CLOEXEC, kInRoot);
  state.parent_is_dir = parent && ::fstat(parent->get(), &st) == 0 && S_ISDIR(st.st_mode);
  return state;
}

DestState host_dest_state(const std::string& path) {
  DestState state;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    state.exists = true;
    state.is_dir = S_ISDIR(st.st_mode);
  }
  state.parent_is_dir = ::stat(parent_dir(path).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  return state;
}

Status write_tar(const Source& source, const std::string& as, int out_fd) {
  storage::TarWriter writer;
  BURROW_CHECK(writer.open(out_fd));
  BURROW_CHECK(writer.add_tree(source.parent.get(), source.name, as));
  return writer.close();
}

// The tar writer feeds the extractor through a pipe, on a thread of its own
// (the process joined its namespaces before, so threads are fine here).
Status stream_copy(const Source& source, const std::string& as, int dest_fd,
                   const storage::UnpackOptions& options) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return base::fail_errno("pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  Status written = base::ok();
  std::thread writer([&] {
    written = write_tar(source, as, write_end.get());
    write_end.reset();
  });
  auto extracted = storage::extract_archive(read_end.get(), dest_fd, options);
  read_end.reset();  // a writer still going gets EPIPE, not a hang
  writer.join();
  BURROW_CHECK(extracted);
  return written;
}

storage::UnpackOptions copy_options(const CopyRequest& request) {
  storage::UnpackOptions options;
  options.preserve_ownership = false;
  options.whiteouts = false;
  options.xattrs = false;
  options.replace_other_types = request.overwrite;
  return options;
}

// The container's primary user, whose ids files copied in get.
Result<ResolvedUser> primary_user(Engine& engine, const ContainerRecord& record,
                                  const std::string& merged) {
  BURROW_TRY(auto stored, stored_config(record));
  std::string spec = stored.options.user.value_or("");
  if (!stored.options.user) {
    BURROW_TRY(auto image, engine.images().find_by_id(record.image_id));
    if (image) {
      BURROW_TRY(auto config, image::parse_image_config(image->config));
      spec = config.config.user;
    }
  }
  return resolve_user_in_root(merged, spec);
}

Status copy_out(Engine& engine, const CopyRequest& request) {
  const std::string& name = *request.source.container;
  BURROW_TRY(auto access, RootfsAccess::open(engine, name));
  std::string where = "on container " + access.record().name;
  BURROW_TRY(UniqueFd root, base::open_dir(access.merged()));
  BURROW_TRY(Source source, container_source(root.get(), request.source.path, where));
  const std::string& src_path = request.source.path;
  bool contents = source.is_dir && names_contents(src_path);
  if (request.dest.path == "-") return write_tar(source, contents ? "" : base_name(src_path), 1);
  BURROW_TRY(CopyTarget target, plan_copy(src_path, source.is_dir, request.dest.path,
                                          host_dest_state(request.dest.path), "on the host"));
  BURROW_TRY(UniqueFd dest, base::open_dir(target.dir));
  return stream_copy(source, target.name, dest.get(), copy_options(request));
}

Status copy_in(Engine& engine, const CopyRequest& request) {
  BURROW_TRY(auto access, RootfsAccess::open(engine, *request.dest.container));
  std::string where = "on container " + access.record().name;
  BURROW_TRY(UniqueFd root, base::open_dir(access.merged()));
  storage::UnpackOptions options = copy_options(request);
  if (request.archive) {
    BURROW_TRY(auto user, primary_user(engine, access.record(), access.merged()));
    options.owner_uid = user.uid;
    options.owner_gid = user.gid;
  } else {
    options.preserve_ownership = true;
  }
  const std::string& dest_path = request.dest.path;
  if (request.source.path == "-") {
    DestState state = container_dest_state(root.get(), dest_path);
    if (!state.exists) return not_found(dest_path, where);
    if (!state.is_dir)
      return base::failf(ENOTDIR, "destination \"{}\" must be a directory when copying from stdin",
                         dest_path);
    BURROW_TRY(UniqueFd dest, base::open_resolved(root.get(), dest_path,
                                                  O_RDONLY | O_DIRECTORY | O_CLOEXEC, kInRoot));
    auto extracted = storage::extract_archive(0, dest.get(), options);
    if (!extracted) return tl::unexpected(extracted.error().with_context("copying from stdin"));
    // libarchive takes zero bytes for an empty archive; an empty stdin is a
    // mistake (nothing piped in), not a request to copy nothing.
    if (extracted->diff_id == kEmptyInputDigest)
      return base::fail(EINVAL, "copying from stdin: stdin was empty, not a tar archive");
    return base::ok();
  }
  BURROW_TRY(Source source, host_source(request.source.path));
  BURROW_TRY(CopyTarget target, plan_copy(request.source.path, source.is_dir, dest_path,
                                          container_dest_state(root.get(), dest_path), where));
  BURROW_TRY(UniqueFd dest, base::open_resolved(root.get(), target.dir,
                                                O_RDONLY | O_DIRECTORY | O_CLOEXEC, kInRoot));
  return stream_copy(source, target.name, dest.get(), options);
}

// "CTR:PATH" unless absolute; "C:\..."-style names do not exist here.
CopyLocation parse_location(const std::string& arg) {
  if (arg.empty() || arg.front() == '/' || arg == "-") return {std::nullopt, arg};
  size_t colon = arg.find(':');
  if (colon == std::string::npos) return {std::nullopt, arg};
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

}  // namespace

Result<CopyRequest> parse_copy_args(const std::string& source, const std::string& dest) {
  CopyRequest request;
  request.source = parse_location(source);
  request.dest = parse_location(dest);
  bool from = request.source.container.has_value(), to = request.dest.container.has_value();
  if (from && to)
    return base::fail(EINVAL,
                      "copying between containers is not supported: copy to the host first");
  if (!from && !to)
    return base::failf(EINVAL,
                       "invalid arguments {}, {}: one side must be a container, as CONTAINER:PATH",
                       source, dest);
  for (auto* side : {&request.source, &request.dest}) {
    if (side->container && side->container->empty())
      return base::failf(EINVAL, "invalid container path \"{}\": the container name is empty",
                         side == &request.source ? source : dest);
    if (side->container && side->path.empty()) side->path = "/";
    if (side->container && side->path.front() != '/') side->path = "/" + side->path;
    if (side->path.empty()) return base::fail(EINVAL, "empty path: name a file or directory");
  }
  return request;
}

Result<CopyTarget> plan_copy(const std::string& source_path, bool source_is_dir,
                             const std::string& dest_path, const DestState& dest,
                             const std::string& where) {
  bool contents = source_is_dir && names_contents(source_path);
  if (dest.exists && dest.is_dir)
    return CopyTarget{dest_path, contents ? "" : base_name(source_path)};
  if (dest.exists) {
    if (source_is_dir)
      return base::failf(ENOTDIR, "destination \"{}\" must be a directory when copying a directory",
                         dest_path);
    return CopyTarget{parent_dir(dest_path), base_name(dest_path)};
  }
  // "DIR/" promises a directory: a file needs it to exist, a directory
  // becomes it (docker cp's rules).
  if ((dest_path.ends_with('/') && !source_is_dir) || !dest.parent_is_dir)
    return not_found(dest_path, where);
  return CopyTarget{parent_dir(dest_path), base_name(dest_path)};
}

Status copy_files(Engine& engine, const CopyRequest& request) {
  if (request.source.container) return copy_out(engine, request);
  return copy_in(engine, request);
}

}  // namespace burrow::engine

// Stages the members of an untrusted image archive. Member names never become
// paths: each regular file is written to staging_dir/mNNNNNN and found again
// through a map keyed by its canonical name, so no member can land outside
// the staging directory, and no link from the archive is ever created.
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <vector>

#include "base/digest.h"
#include "base/file_util.h"
#include "base/log.h"
#include "base/strings.h"
#include "image/archive_internal.h"
#include "image/manifest.h"

namespace burrow::image::archive_detail {

using base::fail;
using base::failf;
using base::Result;
using base::Status;
using base::UniqueFd;

namespace {

constexpr size_t kMaxMembers = 100000;
constexpr size_t kMaxNameLength = 4096;
constexpr int kMaxLinkHops = 8;

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

bool odd_character(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f || c == '\\';
}

// Resolves `target` relative to the directory holding `link`, lexically;
// nullopt when it is absolute or climbs out of the archive.
std::optional<std::string> resolve_link(const std::string& link, const std::string& target) {
  if (target.empty() || target.front() == '/') return std::nullopt;
  std::vector<std::string> parts = base::split(link, '/');
  parts.pop_back();
  for (const auto& part : base::split(target, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  return base::join(parts, "/");
}

class Stager {
 public:
  Stager(std::string staging_dir, UniqueFd dir_fd)
      : staging_dir_(std::move(staging_dir)), dir_fd_(std::move(dir_fd)) {}

  Status add_entry(archive* a, archive_entry* entry) {
    const char* raw_name = archive_entry_pathname(entry);
    BURROW_TRY(std::string name, normalize_member_name(raw_name ? raw_name : ""));
    if (const char* hardlink = archive_entry_hardlink(entry)) return add_hardlink(name, hardlink);
    switch (archive_entry_filetype(entry)) {
      case AE_IFREG:
        return stage_file(a, name);
      case AE_IFLNK: {
        const char* target = archive_entry_symlink(entry);
        result_.symlinks[name] = target ? target : "";
        return base::ok();
      }
      default:
        // Directories carry nothing an image archive needs; devices and
        // fifos have no business in one and are skipped.
        return base::ok();
    }
  }

  StagedArchive take() { return std::move(result_); }

  // A regular file of a layout directory, copied so that what is checked is
  // what gets stored even if the directory changes meanwhile.
  Status copy_file(int src_fd, const std::string& name) {
    return stage_member(name, [&](char* buffer, size_t size) -> Result<size_t> {
      for (;;) {
        ssize_t n = ::read(src_fd, buffer, size);
        if (n >= 0) return static_cast<size_t>(n);
        if (errno != EINTR) return base::fail_errno("reading \"{}\"", name);
      }
    });
  }

  Status add_symlink(const std::string& name, const std::string& target) {
    BURROW_CHECK(check_new(name));
    result_.symlinks[name] = target;
    return base::ok();
  }

 private:
  Status check_new(const std::string& name) {
    if (name.empty()) return fail(EINVAL, "archive member with an empty name");
    if (result_.members.count(name) || result_.symlinks.count(name))
      return failf(EINVAL, "archive member \"{}\" appears twice", name);
    if (result_.members.size() >= kMaxMembers)
      return failf(E2BIG, "archive has more than {} files", kMaxMembers);
    return base::ok();
  }

  Status add_hardlink(const std::string& name, const char* target) {
    BURROW_CHECK(check_new(name));
    BURROW_TRY(std::string canonical, normalize_member_name(target));
    auto it = result_.members.find(canonical);
    // A hard link to a member not seen before it is invalid in tar; ignore it
    // so that a manifest naming it gets "not found".
    if (it != result_.members.end()) result_.members[name] = it->second;
    return base::ok();
  }

  Status stage_file(archive* a, const std::string& name) {
    return stage_member(name, [&](char* buffer, size_t size) -> Result<size_t> {
      la_ssize_t n = archive_read_data(a, buffer, size);
      if (n < 0)
        return failf(EIO, "reading member \"{}\": truncated or corrupt archive: {}", name,
                     archive_error_string(a));
      return static_cast<size_t>(n);
    });
  }

  // Stages one member from `read` (buffer, size) -> bytes read, 0 at the end.
  template <typename Read>
  Status stage_member(const std::string& name, Read&& read) {
    BURROW_CHECK(check_new(name));
    std::string file = fmt::format("m{:06}", result_.members.size());
    UniqueFd out(::openat(dir_fd_.get(), file.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out) return base::fail_errno("creating {}/{}", staging_dir_, file);
    base::Sha256 hash;
    int64_t size = 0;
    std::array<char, 65536> buffer;
    for (;;) {
      BURROW_TRY(size_t n, read(buffer.data(), buffer.size()));
      if (n == 0) break;
      hash.update(buffer.data(), static_cast<size_t>(n));
      BURROW_CHECK(
          base::write_all(out.get(), std::string_view(buffer.data(), static_cast<size_t>(n))));
      size += n;
    }
    result_.members[name] =
        StagedMember{base::path_join(staging_dir_, file), "sha256:" + hash.finish_hex(), size};
    return base::ok();
  }

  std::string staging_dir_;
  UniqueFd dir_fd_;
  StagedArchive result_;
};

Result<ArchivePtr> open_reader(int fd) {
  ArchivePtr a(archive_read_new());
  if (!a) return fail(ENOMEM, "reading image archive: out of memory");
  archive_read_support_format_tar(a.get());
  // Only filters libarchive implements itself: archive_read_support_filter_all
  // would also run external programs (lrzip, lzop) on untrusted input.
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_bzip2(a.get());
  // Opening already reads the first block to detect compression, so a
  // non-archive or a damaged compressed stream can fail here.
  if (archive_read_open_fd(a.get(), fd, 65536) != ARCHIVE_OK)
    return failf(EINVAL,
                 "reading image archive: not a tar archive, or a truncated or corrupt one: {}",
                 archive_error_string(a.get()));
  return a;
}

constexpr int kMaxDirectoryDepth = 16;

Result<std::vector<std::string>> list_directory(int dir_fd, const std::string& where) {
  int dup_fd = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) return base::fail_errno("reading directory {}", where);
  DIR* dir = ::fdopendir(dup_fd);
  if (!dir) {
    ::close(dup_fd);
    return base::fail_errno("reading directory {}", where);
  }
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  int saved = errno;
  ::closedir(dir);
  if (saved != 0) {
    errno = saved;
    return base::fail_errno("reading directory {}", where);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Stages a layout directory as if it were a tar of it: every lookup is
// relative to an open directory with O_NOFOLLOW, symbolic links are recorded
// (and later resolved only lexically, inside the set), and anything that
// is neither a file, a directory nor a link is skipped.
Status stage_tree(Stager& stager, int dir_fd, const std::string& prefix, int depth) {
  if (depth > kMaxDirectoryDepth) return failf(ELOOP, "\"{}\" is nested too deeply", prefix);
  BURROW_TRY(auto names, list_directory(dir_fd, prefix.empty() ? "." : prefix));
  for (const auto& entry : names) {
    BURROW_TRY(std::string name,
               normalize_member_name(prefix.empty() ? entry : prefix + "/" + entry));
    struct stat st;
    if (::fstatat(dir_fd, entry.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return base::fail_errno("reading \"{}\"", name);
    if (S_ISLNK(st.st_mode)) {
      std::vector<char> target(static_cast<size_t>(st.st_size) + 2);
      ssize_t n = ::readlinkat(dir_fd, entry.c_str(), target.data(), target.size() - 1);
      if (n < 0) return base::fail_errno("reading symlink \"{}\"", name);
      BURROW_CHECK(stager.add_symlink(name, std::string(target.data(), static_cast<size_t>(n))));
      continue;
    }
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) continue;
    // O_NONBLOCK: a file swapped for a fifo after the fstatat must not hang us.
    int flags = S_ISDIR(st.st_mode) ? O_RDONLY | O_DIRECTORY : O_RDONLY | O_NONBLOCK;
    UniqueFd fd(::openat(dir_fd, entry.c_str(), flags | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return base::fail_errno("opening \"{}\"", name);
    struct stat opened;
    if (::fstat(fd.get(), &opened) != 0) return base::fail_errno("reading \"{}\"", name);
    if ((opened.st_mode & S_IFMT) != (st.st_mode & S_IFMT))
      return failf(EAGAIN, "\"{}\" changed while it was read", name);
    if (S_ISDIR(st.st_mode)) {
      BURROW_CHECK(stage_tree(stager, fd.get(), name, depth + 1));
    } else {
      BURROW_CHECK(stager.copy_file(fd.get(), name));
    }
  }
  return base::ok();
}
}  // namespace

Result<std::string> normalize_member_name(std::string_view name) {
  if (name.size() > kMaxNameLength) return failf(EINVAL, "archive member name is too long");
  auto unsafe = [&] { return failf(EINVAL, "unsafe archive path \"{}\"", name); };
  if (!name.empty() && name.front() == '/') return unsafe();
  std::vector<std::string> parts;
  for (const auto& part : base::split(name, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") return unsafe();
    for (char c : part)
      if (odd_character(c)) return unsafe();
    parts.push_back(part);
  }
  return base::join(parts, "/");
}

Result<const StagedMember*> StagedArchive::find(std::string_view name) const {
  BURROW_TRY(std::string current, normalize_member_name(name));
  for (int hop = 0; hop <= kMaxLinkHops; ++hop) {
    if (auto it = members.find(current); it != members.end()) return &it->second;
    auto link = symlinks.find(current);
    if (link == symlinks.end()) break;
    auto next = resolve_link(current, link->second);
    if (!next) break;
    current = *next;
  }
  return failf(ENOENT, "\"{}\" is not a file in the archive", name);
}

Result<std::string> StagedArchive::read_small(std::string_view name) const {
  BURROW_TRY(const StagedMember* member, find(name));
  auto text = base::read_file_limited(member->path, kMaxJsonSize);
  if (!text) return tl::unexpected(text.error().with_context(fmt::format("reading {}", name)));
  return text;
}

Status StagedArchive::verify_blob_names() const {
  constexpr std::string_view kBlobPrefix = "blobs/sha256/";
  for (const auto& [name, member] : members) {
    if (name.compare(0, kBlobPrefix.size(), kBlobPrefix) != 0) continue;
    std::string named = "sha256:" + name.substr(kBlobPrefix.size());
    if (member.digest != named) return failf(EINVAL, "blob {} does not match its digest", named);
  }
  return base::ok();
}

Result<StagedArchive> stage_archive(int fd, const std::string& staging_dir) {
  BURROW_TRY(UniqueFd dir_fd, base::open_dir(staging_dir));
  BURROW_TRY(ArchivePtr a, open_reader(fd));
  Stager stager(staging_dir, std::move(dir_fd));
  for (bool first = true;; first = false) {
    archive_entry* entry = nullptr;
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r == ARCHIVE_WARN) base::warn("reading image archive: {}", archive_error_string(a.get()));
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      if (first)
        return failf(EINVAL,
                     "reading image archive: not a tar archive, or a truncated or corrupt one: {}",
                     archive_error_string(a.get()));
      return failf(EIO, "reading image archive: truncated or corrupt archive: {}",
                   archive_error_string(a.get()));
    }
    if (auto s = stager.add_entry(a.get(), entry); !s)
      return tl::unexpected(s.error().with_context("reading image archive"));
  }
  return stager.take();
}

Result<StagedArchive> stage_directory(const std::string& dir, const std::string& staging_dir) {
  BURROW_TRY(UniqueFd staging_fd, base::open_dir(staging_dir));
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd) return base::fail_errno("opening {}", dir);
  Stager stager(staging_dir, std::move(staging_fd));
  if (auto s = stage_tree(stager, dir_fd.get(), "", 0); !s)
    return tl::unexpected(s.error().with_context(fmt::format("reading image directory {}", dir)));
  return stager.take();
}

Result<std::string> sniff_layer_media_type(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return base::fail_errno("opening {}", path);
  unsigned char magic[6] = {};
  ssize_t n = ::read(fd.get(), magic, sizeof magic);
  if (n < 0) return base::fail_errno("reading {}", path);
  if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return std::string(media_type::kOciLayerGzip);
  if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
    return std::string(media_type::kOciLayerZstd);
  if ((n >= 6 && magic[0] == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X') ||
      (n >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h'))
    return fail(EINVAL, "layer is compressed with xz or bzip2, which is not supported");
  return std::string(media_type::kOciLayer);
}

}  // namespace burrow::image::archive_detail

// Runs in the CLI process (`burrow save`): writes the members of an image
// archive as a tar or as files, and converts layer blobs between their
// stored compression and the one the output format wants.
#include "engine/image_save_layout.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <set>
#include <vector>

#include "base/digest.h"
#include "base/file_util.h"

namespace burrow::engine {
namespace {

constexpr size_t kCopyBuffer = 1 << 20;

struct ArchiveWriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct ArchiveReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using WritePtr = std::unique_ptr<archive, ArchiveWriteFree>;
using ReadPtr = std::unique_ptr<archive, ArchiveReadFree>;
using EntryPtr = std::unique_ptr<archive_entry, EntryFree>;

Error archive_failure(archive* a, const std::string& what) {
  const char* text = archive_error_string(a);
  int code = archive_errno(a);
  return Error{code > 0 ? code : EIO, fmt::format("{}: {}", what, text ? text : "error")};
}

// Reads exactly `size` bytes of `fd` from offset 0 and hands them to `sink`
// in chunks; a file that turned out shorter is an error, not a short member.
template <typename Sink>
Status read_exactly(int fd, int64_t size, const std::string& what, Sink&& sink) {
  std::vector<char> buffer(kCopyBuffer);
  int64_t offset = 0;
  while (offset < size) {
    size_t want = static_cast<size_t>(std::min<int64_t>(size - offset, buffer.size()));
    ssize_t n = ::pread(fd, buffer.data(), want, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return base::fail_errno("reading {}", what);
    if (n == 0) return base::failf(EIO, "reading {}: the file is shorter than expected", what);
    BURROW_CHECK(sink(buffer.data(), static_cast<size_t>(n)));
    offset += n;
  }
  return base::ok();
}

// "blobs/sha256/x" implies "blobs/" and "blobs/sha256/".
std::vector<std::string> implied_directories(const std::vector<LayoutMember>& members) {
  std::set<std::string> seen;
  std::vector<std::string> dirs;
  for (const auto& member : members) {
    for (size_t slash = member.name.find('/'); slash != std::string::npos;
         slash = member.name.find('/', slash + 1)) {
      std::string dir = member.name.substr(0, slash + 1);
      if (seen.insert(dir).second) dirs.push_back(dir);
    }
  }
  return dirs;
}

EntryPtr new_entry(const std::string& name, mode_t type, mode_t perm, int64_t size) {
  EntryPtr entry(archive_entry_new());
  archive_entry_set_pathname(entry.get(), name.c_str());
  archive_entry_set_filetype(entry.get(), type);
  archive_entry_set_perm(entry.get(), perm);
  archive_entry_set_size(entry.get(), size);
  archive_entry_set_uid(entry.get(), 0);
  archive_entry_set_gid(entry.get(), 0);
  archive_entry_set_mtime(entry.get(), 0, 0);
  return entry;
}

Status write_tar_member(archive* a, const LayoutMember& member) {
  int64_t size = member.file ? member.size : static_cast<int64_t>(member.bytes.size());
  EntryPtr entry = new_entry(member.name, AE_IFREG, 0644, size);
  if (archive_write_header(a, entry.get()) != ARCHIVE_OK)
    return tl::unexpected(archive_failure(a, "writing " + member.name));
  auto write = [&](const char* data, size_t n) -> Status {
    if (archive_write_data(a, data, n) < 0)
      return tl::unexpected(archive_failure(a, "writing " + member.name));
    return base::ok();
  };
  if (!member.file) return write(member.bytes.data(), member.bytes.size());
  return read_exactly(member.file.get(), member.size, member.name, write);
}

Status write_file_member(int dir_fd, const LayoutMember& member) {
  base::UniqueFd out(::openat(dir_fd, member.name.c_str(),
                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!out) return base::fail_errno("creating {}", member.name);
  if (!member.file) return base::write_all(out.get(), member.bytes);
  return read_exactly(member.file.get(), member.size, member.name,
                      [&](const char* data, size_t n) -> Status {
                        return base::write_all(out.get(), std::string_view(data, n));
                      });
}

Result<base::UniqueFd> create_output(const std::string& path) {
  base::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return base::fail_errno("creating {}", path);
  return fd;
}

// The write callback of the gzip writer: to `fd`, hashing as it goes.
struct HashingOutput {
  int fd;
  base::Sha256 hash;
  int64_t size = 0;
  int saved_errno = 0;
};

la_ssize_t hashing_write(archive*, void* self, const void* data, size_t n) {
  auto* out = static_cast<HashingOutput*>(self);
  std::string_view chunk(static_cast<const char*>(data), n);
  if (auto written = base::write_all(out->fd, chunk); !written) {
    out->saved_errno = written.error().code;
    return -1;
  }
  out->hash.update(chunk);
  out->size += static_cast<int64_t>(n);
  return static_cast<la_ssize_t>(n);
}

}  // namespace

Status write_layout_tar(const std::vector<LayoutMember>& members, int out_fd) {
  WritePtr a(archive_write_new());
  if (!a) return base::fail(ENOMEM, "allocating the archive writer");
  archive_write_set_format_pax_restricted(a.get());
  archive_write_add_filter_none(a.get());
  if (archive_write_open_fd(a.get(), out_fd) != ARCHIVE_OK)
    return tl::unexpected(archive_failure(a.get(), "writing the archive"));
  for (const auto& dir : implied_directories(members)) {
    EntryPtr entry = new_entry(dir, AE_IFDIR, 0755, 0);
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK)
      return tl::unexpected(archive_failure(a.get(), "writing " + dir));
  }
  for (const auto& member : members) BURROW_CHECK(write_tar_member(a.get(), member));
  if (archive_write_close(a.get()) != ARCHIVE_OK)
    return tl::unexpected(archive_failure(a.get(), "writing the archive"));
  return base::ok();
}

Status write_layout_dir(const std::vector<LayoutMember>& members, const std::string& dir) {
  BURROW_TRY(base::UniqueFd dir_fd, base::open_dir(dir));
  for (const auto& sub : implied_directories(members)) {
    if (::mkdirat(dir_fd.get(), sub.c_str(), 0755) != 0)
      return base::fail_errno("creating {}/{}", dir, sub);
  }
  for (const auto& member : members) BURROW_CHECK(write_file_member(dir_fd.get(), member));
  return base::ok();
}

Result<ConvertedLayer> decompress_layer(int blob_fd, const std::string& out_path) {
  if (::lseek(blob_fd, 0, SEEK_SET) < 0) return base::fail_errno("reading the layer blob");
  ReadPtr a(archive_read_new());
  if (!a) return base::fail(ENOMEM, "allocating the layer reader");
  // Only decompressors built into libarchive (see LayerStream).
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_raw(a.get());
  archive_entry* entry = nullptr;
  if (archive_read_open_fd(a.get(), blob_fd, kCopyBuffer) != ARCHIVE_OK ||
      archive_read_next_header(a.get(), &entry) != ARCHIVE_OK)
    return tl::unexpected(archive_failure(a.get(), "decompressing the layer"));
  BURROW_TRY(base::UniqueFd out, create_output(out_path));
  ConvertedLayer layer;
  base::Sha256 hash;
  std::vector<char> buffer(kCopyBuffer);
  for (;;) {
    la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
    if (n < 0) return tl::unexpected(archive_failure(a.get(), "decompressing the layer"));
    if (n == 0) break;
    std::string_view chunk(buffer.data(), static_cast<size_t>(n));
    BURROW_CHECK(base::write_all(out.get(), chunk));
    hash.update(chunk);
    layer.size += n;
  }
  layer.file = std::move(out);
  layer.digest = "sha256:" + hash.finish_hex();
  return layer;
}

Result<ConvertedLayer> gzip_layer(int blob_fd, int64_t blob_size, const std::string& out_path) {
  BURROW_TRY(base::UniqueFd out, create_output(out_path));
  HashingOutput output{out.get(), {}, 0, 0};
  WritePtr a(archive_write_new());
  if (!a) return base::fail(ENOMEM, "allocating the compressor");
  archive_write_add_filter_gzip(a.get());
  // No timestamp in the gzip header: the same layer compresses the same way.
  archive_write_set_filter_option(a.get(), "gzip", "timestamp", nullptr);
  archive_write_set_format_raw(a.get());
  // No block padding: zeros after the gzip stream would be part of the blob.
  archive_write_set_bytes_per_block(a.get(), 0);
  auto failed = [&](const char* what) {
    Error error = archive_failure(a.get(), what);
    if (output.saved_errno) error.code = output.saved_errno;
    return tl::unexpected(error);
  };
  if (archive_write_open(a.get(), &output, nullptr, hashing_write, nullptr) != ARCHIVE_OK)
    return failed("compressing the layer");
  EntryPtr entry = new_entry("layer.tar", AE_IFREG, 0644, blob_size);
  if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK)
    return failed("compressing the layer");
  BURROW_CHECK(
      read_exactly(blob_fd, blob_size, "the layer blob", [&](const char* data, size_t n) -> Status {
        if (archive_write_data(a.get(), data, n) < 0) return failed("compressing the layer");
        return base::ok();
      }));
  if (archive_write_close(a.get()) != ARCHIVE_OK) return failed("compressing the layer");
  ConvertedLayer layer;
  layer.file = std::move(out);
  layer.digest = "sha256:" + output.hash.finish_hex();
  layer.size = output.size;
  return layer;
}

}  // namespace burrow::engine

#include "storage-fuse/test_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "base/file_util.h"

namespace burrow::storage::test {

TarEntry file(std::string path, std::string content, mode_t mode) {
  TarEntry e;
  e.path = std::move(path);
  e.content = std::move(content);
  e.mode = mode;
  return e;
}

TarEntry dir(std::string path, mode_t mode) {
  TarEntry e;
  e.type = TarEntry::Type::kDir;
  e.path = std::move(path);
  e.mode = mode;
  return e;
}

TarEntry symlink(std::string path, std::string target) {
  TarEntry e;
  e.type = TarEntry::Type::kSymlink;
  e.path = std::move(path);
  e.link = std::move(target);
  e.mode = 0777;
  return e;
}

TarEntry hardlink(std::string path, std::string target) {
  TarEntry e;
  e.type = TarEntry::Type::kHardlink;
  e.path = std::move(path);
  e.link = std::move(target);
  return e;
}

TarEntry fifo(std::string path) {
  TarEntry e;
  e.type = TarEntry::Type::kFifo;
  e.path = std::move(path);
  return e;
}

TarEntry char_device(std::string path, unsigned major, unsigned minor) {
  TarEntry e;
  e.type = TarEntry::Type::kCharDevice;
  e.path = std::move(path);
  e.dev_major = major;
  e.dev_minor = minor;
  return e;
}

namespace {

la_ssize_t append_callback(archive*, void* out, const void* data, size_t size) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(data), size);
  return static_cast<la_ssize_t>(size);
}

void check(int rc, archive* a) {
  if (rc != ARCHIVE_OK) throw std::runtime_error(archive_error_string(a));
}

mode_t type_bits(TarEntry::Type type) {
  switch (type) {
    case TarEntry::Type::kFile:
    case TarEntry::Type::kHardlink:
      return AE_IFREG;
    case TarEntry::Type::kDir:
      return AE_IFDIR;
    case TarEntry::Type::kSymlink:
      return AE_IFLNK;
    case TarEntry::Type::kFifo:
      return AE_IFIFO;
    case TarEntry::Type::kCharDevice:
      return AE_IFCHR;
  }
  return AE_IFREG;
}

void write_entry(archive* a, const TarEntry& e) {
  archive_entry* entry = archive_entry_new();
  archive_entry_set_pathname(entry, e.path.c_str());
  archive_entry_set_filetype(entry, type_bits(e.type));
  archive_entry_set_perm(entry, e.mode);
  archive_entry_set_uid(entry, e.uid);
  archive_entry_set_gid(entry, e.gid);
  archive_entry_set_mtime(entry, e.mtime, 0);
  if (e.type == TarEntry::Type::kSymlink) archive_entry_set_symlink(entry, e.link.c_str());
  if (e.type == TarEntry::Type::kHardlink) archive_entry_set_hardlink(entry, e.link.c_str());
  if (e.type == TarEntry::Type::kCharDevice) {
    archive_entry_set_rdevmajor(entry, e.dev_major);
    archive_entry_set_rdevminor(entry, e.dev_minor);
  }
  for (const auto& [name, value] : e.xattrs)
    archive_entry_xattr_add_entry(entry, name.c_str(), value.data(), value.size());
  archive_entry_set_size(
      entry, e.type == TarEntry::Type::kFile ? static_cast<la_int64_t>(e.content.size()) : 0);
  check(archive_write_header(a, entry), a);
  if (!e.content.empty()) archive_write_data(a, e.content.data(), e.content.size());
  archive_entry_free(entry);
}

}  // namespace

std::string make_tar(const std::vector<TarEntry>& entries) {
  std::string out;
  archive* a = archive_write_new();
  check(archive_write_set_format_pax_restricted(a), a);
  check(archive_write_add_filter_none(a), a);
  check(archive_write_set_bytes_in_last_block(a, 1), a);
  check(archive_write_open(a, &out, nullptr, append_callback, nullptr), a);
  for (const auto& e : entries) write_entry(a, e);
  check(archive_write_close(a), a);
  archive_write_free(a);
  return out;
}

std::string compress(std::string_view data, Compression compression) {
  if (compression == Compression::kNone) return std::string(data);
  std::string out;
  archive* a = archive_write_new();
  check(archive_write_set_format_raw(a), a);
  if (compression == Compression::kGzip)
    check(archive_write_add_filter_gzip(a), a);
  else
    check(archive_write_add_filter_zstd(a), a);
  check(archive_write_set_bytes_in_last_block(a, 1), a);
  check(archive_write_open(a, &out, nullptr, append_callback, nullptr), a);
  archive_entry* entry = archive_entry_new();
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_pathname(entry, "layer.tar");
  archive_entry_set_size(entry, static_cast<la_int64_t>(data.size()));
  check(archive_write_header(a, entry), a);
  archive_write_data(a, data.data(), data.size());
  archive_entry_free(entry);
  check(archive_write_close(a), a);
  archive_write_free(a);
  return out;
}

base::UniqueFd memory_fd(std::string_view data) {
  base::UniqueFd fd(::memfd_create("layer", MFD_CLOEXEC));
  if (!fd || !base::write_all(fd.get(), data) || ::lseek(fd.get(), 0, SEEK_SET) != 0)
    throw std::runtime_error("memfd");
  return fd;
}

TempDir::TempDir() {
  auto made = base::make_temp_dir("/tmp", "burrow-storage-test-");
  if (!made) throw std::runtime_error(made.error().message);
  path_ = *made;
}

TempDir::~TempDir() {
  // Unpacked trees may hold 0555 directories; give the owner write access
  // back (without following symlinks) before removing.
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) ::chmod(it->path().c_str(), 0700);
  }
  (void)base::remove_tree(path_);
}

std::string TempDir::sub(std::string_view rel) const { return base::path_join(path_, rel); }

std::string read_text(const std::string& path) {
  auto content = base::read_file(path);
  return content ? *content : "<unreadable: " + content.error().message + ">";
}

}  // namespace burrow::storage::test

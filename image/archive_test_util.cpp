#include "image/archive_test_util.h"

#include <archive.h>
#include <archive_entry.h>

#include <stdexcept>

namespace burrow::image::testing_util {

namespace {

la_ssize_t append_to_string(archive*, void* data, const void* buffer, size_t size) {
  static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), size);
  return static_cast<la_ssize_t>(size);
}

void check(archive* a, int r) {
  if (r != ARCHIVE_OK) throw std::runtime_error(archive_error_string(a));
}

void write_member(archive* a, const TarMember& m) {
  archive_entry* entry = archive_entry_new();
  archive_entry_set_pathname(entry, m.name.c_str());
  archive_entry_set_mtime(entry, 0, 0);
  using Kind = TarMember::Kind;
  switch (m.kind) {
    case Kind::kFile:
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_perm(entry, 0644);
      archive_entry_set_size(entry, static_cast<la_int64_t>(m.content.size()));
      break;
    case Kind::kDirectory:
      archive_entry_set_filetype(entry, AE_IFDIR);
      archive_entry_set_perm(entry, 0755);
      break;
    case Kind::kSymlink:
      archive_entry_set_filetype(entry, AE_IFLNK);
      archive_entry_set_perm(entry, 0777);
      archive_entry_set_symlink(entry, m.content.c_str());
      break;
    case Kind::kHardlink:
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_perm(entry, 0644);
      archive_entry_set_hardlink(entry, m.content.c_str());
      archive_entry_set_size(entry, 0);
      break;
  }
  check(a, archive_write_header(a, entry));
  if (m.kind == Kind::kFile && !m.content.empty())
    archive_write_data(a, m.content.data(), m.content.size());
  archive_entry_free(entry);
}

}  // namespace

std::string make_tar(const std::vector<TarMember>& members, TarFilter filter) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (filter == TarFilter::kGzip) archive_write_add_filter_gzip(a);
  if (filter == TarFilter::kZstd) archive_write_add_filter_zstd(a);
  // No padding after the last filter's output: zero bytes after a zstd frame
  // are not a valid frame (real `tar --zstd` output has none).
  archive_write_set_bytes_in_last_block(a, 1);
  check(a, archive_write_open(a, &out, nullptr, append_to_string, nullptr));
  for (const auto& m : members) write_member(a, m);
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

}  // namespace burrow::image::testing_util

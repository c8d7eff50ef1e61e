// Test-only helpers: build layer tarballs in memory with libarchive's writer.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace burrow::storage::test {

struct TarEntry {
  enum class Type { kFile, kDir, kSymlink, kHardlink, kFifo, kCharDevice };
  Type type = Type::kFile;
  std::string path;
  std::string content;  // kFile
  std::string link;     // kSymlink, kHardlink
  mode_t mode = 0644;
  uint32_t uid = ::getuid();
  uint32_t gid = ::getgid();
  int64_t mtime = 1'600'000'000;
  unsigned dev_major = 0;
  unsigned dev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

TarEntry file(std::string path, std::string content, mode_t mode = 0644);
TarEntry dir(std::string path, mode_t mode = 0755);
TarEntry symlink(std::string path, std::string target);
TarEntry hardlink(std::string path, std::string target);
TarEntry fifo(std::string path);
TarEntry char_device(std::string path, unsigned major, unsigned minor);

enum class Compression { kNone, kGzip, kZstd };

// A pax tar of the entries, uncompressed.
std::string make_tar(const std::vector<TarEntry>& entries);
// The bytes compressed as a whole (as a registry blob is).
std::string compress(std::string_view data, Compression compression);
// A memfd holding `data`, positioned at 0.
base::UniqueFd memory_fd(std::string_view data);

// A scratch directory under /tmp, removed even when unpacked directories
// are read-only to an unprivileged user.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string sub(std::string_view rel) const;

 private:
  std::string path_;
};

std::string read_text(const std::string& path);

}  // namespace burrow::storage::test

// Writes tar streams (pax) from directory trees: `burrow cp` out of a
// container, `export`, and the layer `commit` makes. Every file is reached
// by *at() calls with O_NOFOLLOW below a descriptor the caller opened, so a
// tree written by a container can never lead the writer outside it.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <map>
#include <string>
#include <utility>

#include "base/result.h"

struct archive;
struct archive_entry;

namespace burrow::storage {

struct TarWriteOptions {
  // Keep the xattrs a layer may carry (keep_layer_xattr); cp leaves them out
  // so a host file system without user xattrs does not fail the copy.
  bool xattrs = false;
};

class TarWriter {
 public:
  explicit TarWriter(TarWriteOptions options = {}) : options_(options) {}
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // `out_fd` is borrowed.
  base::Status open(int out_fd);
  // Adds `name` in dir_fd ("" for dir_fd itself) as archive path `as`, and
  // everything below it when it is a directory. A symlink is stored as a
  // symlink. An empty `as` writes only a directory's children, unprefixed.
  base::Status add_tree(int dir_fd, const std::string& name, const std::string& as);
  // Adds one entry without its children.
  base::Status add_entry(int dir_fd, const std::string& name, const std::string& as);
  // An empty regular file: the ".wh." whiteouts of a layer.
  base::Status add_empty_file(const std::string& as, mode_t mode = 0);
  // Writes the end-of-archive marker.
  base::Status close();

 private:
  base::Status add_stat(int dir_fd, const std::string& name, const std::string& as,
                        const struct stat& st);
  base::Status add_children(int dir_fd, const std::string& prefix);
  base::Status write_data(int fd, const std::string& as);
  base::Status add_xattrs(archive_entry* entry, int fd, const std::string& as);
  base::Error archive_error(const std::string& what) const;

  TarWriteOptions options_;
  archive* archive_ = nullptr;
  bool closed_ = false;
  // (device, inode) of files with several links -> the first archive path.
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

}  // namespace burrow::storage

// Advisory file locks (flock) that serialise commands touching the same object.
#pragma once

#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace burrow::base {

class FileLock {
 public:
  // Blocks until the exclusive lock on `path` (created if missing) is held.
  static Result<FileLock> acquire(const std::string& path);
  FileLock(FileLock&&) = default;
  FileLock& operator=(FileLock&&) = default;

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // the lock is released when the fd closes
};

}  // namespace burrow::base

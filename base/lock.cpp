#include "base/lock.h"

#include <fcntl.h>
#include <sys/file.h>

namespace burrow::base {

Result<FileLock> FileLock::acquire(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return fail_errno("opening lock file {}", path);
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return fail_errno("locking {}", path);
  }
  return FileLock(std::move(fd));
}

}  // namespace burrow::base

#include "runtime/test_child.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/file_util.h"

namespace burrow::runtime::testing {

std::string run_in_child(const std::function<std::string()>& body) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return "pipe2 failed";
  pid_t pid = ::fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    ::close(fds[0]);
    std::string failure = body();
    (void)base::write_all(fds[1], failure);
    ::_exit(failure.empty() ? 0 : 1);
  }
  ::close(fds[1]);
  auto report = base::read_fd(fds[0], 1 << 16);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::string failure = report ? *report : "reading the child's report failed";
  if (!WIFEXITED(status)) failure += fmt::format(" (child died, status {:#x})", status);
  return failure;
}

}  // namespace burrow::runtime::testing

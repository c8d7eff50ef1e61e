#include "rootless-net/netns.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/unique_fd.h"

namespace burrow::net {
namespace {

struct BindRequest {
  const char* path;
  int error;  // the child's errno, 0 on success
};

// Sets lo up in the calling thread's network namespace.
int bring_loopback_up() {
  int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return errno;
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  int error = 0;
  if (::ioctl(sock, SIOCGIFFLAGS, &request) != 0) {
    error = errno;
  } else {
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP | IFF_RUNNING);
    if (::ioctl(sock, SIOCSIFFLAGS, &request) != 0) error = errno;
  }
  ::close(sock);
  return error;
}

// Runs in the new namespace, sharing the caller's memory (the caller
// sleeps until it exits).
int bind_own_netns(void* arg) {
  auto* request = static_cast<BindRequest*>(arg);
  request->error = bring_loopback_up();
  if (request->error == 0 &&
      ::mount("/proc/self/ns/net", request->path, nullptr, MS_BIND, nullptr) != 0)
    request->error = errno;
  return 0;
}

}  // namespace

Status create_netns_file(const std::string& path) {
  base::UniqueFd file(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!file) return base::fail_errno("creating the network namespace file {}", path);
  file.reset();
  // A child born in the new namespace binds it: the caller keeps its own
  // namespace, which a rootless caller could not setns back into.
  constexpr size_t kStackSize = 64 * 1024;
  void* stack = ::mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return base::fail_errno("allocating a stack");
  BindRequest request{path.c_str(), 0};
  pid_t pid = ::clone(bind_own_netns, static_cast<char*>(stack) + kStackSize,
                      CLONE_NEWNET | CLONE_VM | CLONE_VFORK | SIGCHLD, &request);
  int clone_errno = errno;
  ::munmap(stack, kStackSize);
  if (pid < 0) {
    ::unlink(path.c_str());
    errno = clone_errno;
    return base::fail_errno("creating a network namespace");
  }
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (request.error != 0) {
    ::unlink(path.c_str());
    errno = request.error;
    return base::fail_errno("binding the new network namespace to {}", path);
  }
  return base::ok();
}

Status remove_netns_file(const std::string& path) {
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    return base::fail_errno("unmounting the network namespace {}", path);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return base::fail_errno("removing {}", path);
  return base::ok();
}

}  // namespace burrow::net

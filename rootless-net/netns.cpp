#include "rootless-net/netns.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
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
  bool watch_routes;
  int route_fd;  // the watch socket, in the shared descriptor table
  int error;     // the child's errno, 0 on success
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

// A netlink socket of the calling thread's namespace that receives its
// route changes; -1 with errno set on failure.
int open_route_watch() {
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (fd < 0) return -1;
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    int error = errno;
    ::close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

// Runs in the new namespace, sharing the caller's memory and descriptor
// table (the caller sleeps until it exits).
int bind_own_netns(void* arg) {
  auto* request = static_cast<BindRequest*>(arg);
  request->error = bring_loopback_up();
  if (request->error == 0 &&
      ::mount("/proc/self/ns/net", request->path, nullptr, MS_BIND, nullptr) != 0)
    request->error = errno;
  if (request->error == 0 && request->watch_routes) {
    request->route_fd = open_route_watch();
    if (request->route_fd < 0) request->error = errno;
  }
  return 0;
}

Status make_netns_file(const std::string& path, bool watch_routes, base::UniqueFd& route_fd) {
  base::UniqueFd file(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!file) return base::fail_errno("creating the network namespace file {}", path);
  file.reset();
  // A child born in the new namespace binds it: the caller keeps its own
  // namespace, which a rootless caller could not setns back into.
  constexpr size_t kStackSize = 64 * 1024;
  void* stack = ::mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return base::fail_errno("allocating a stack");
  BindRequest request{path.c_str(), watch_routes, -1, 0};
  pid_t pid = ::clone(bind_own_netns, static_cast<char*>(stack) + kStackSize,
                      CLONE_NEWNET | CLONE_VM | CLONE_FILES | CLONE_VFORK | SIGCHLD, &request);
  int clone_errno = errno;
  ::munmap(stack, kStackSize);
  if (pid < 0) {
    ::unlink(path.c_str());
    errno = clone_errno;
    return base::fail_errno("creating a network namespace");
  }
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  route_fd.reset(request.route_fd);
  if (request.error != 0) {
    (void)remove_netns_file(path);
    errno = request.error;
    return base::fail_errno("binding the new network namespace to {}", path);
  }
  return base::ok();
}

}  // namespace

Status create_netns_file(const std::string& path) {
  base::UniqueFd unused;
  return make_netns_file(path, false, unused);
}

Result<base::UniqueFd> create_watched_netns_file(const std::string& path) {
  base::UniqueFd route_fd;
  BURROW_CHECK(make_netns_file(path, true, route_fd));
  return route_fd;
}

Status remove_netns_file(const std::string& path) {
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    return base::fail_errno("unmounting the network namespace {}", path);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return base::fail_errno("removing {}", path);
  return base::ok();
}

}  // namespace burrow::net

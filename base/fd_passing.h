// Passing a descriptor over a unix socket (SCM_RIGHTS) along with a few
// bytes. Neither call allocates, so both are safe in a child between clone
// and execve.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace burrow::base {

// sendmsg of `size` bytes with `fd` attached (fd < 0: none), retried on
// EINTR, without SIGPIPE. Returns what sendmsg returns.
ssize_t send_with_fd(int socket, const void* data, size_t size, int fd);

// recvmsg of up to `size` bytes, retried on EINTR; the descriptor that came
// with them (close-on-exec) in *fd, else -1. Returns what recvmsg returns.
ssize_t receive_with_fd(int socket, void* data, size_t size, int* fd);

}  // namespace burrow::base

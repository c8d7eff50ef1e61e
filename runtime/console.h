// The container's terminal (process.terminal): the process that will run in
// the container opens a pty in the container's own devpts instance, makes its
// peer the controlling terminal and stdio, and hands the master to the
// process that created it over a "console socket" (SCM_RIGHTS), as OCI
// runtimes do with --console-socket.
//
// The functions marked "Child" run after clone() (container init, exec
// child): they never allocate. Those marked "Parent" run in the creator.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "base/unique_fd.h"
#include "runtime/init_error.h"

namespace burrow::runtime {

// A terminal's size; 0x0 leaves the kernel's default.
struct ConsoleSize {
  uint16_t rows = 0;
  uint16_t cols = 0;
};

// The ptmx of the devpts instance mounted at /dev/pts (the container's, once
// its mounts are set up).
inline constexpr const char* kContainerPtmx = "/dev/pts/ptmx";

// Child: opens `ptmx`, unlocks it, sizes it, and opens its peer (TIOCGPTPEER,
// so the peer comes from the same devpts instance whatever the mount table
// says). Both fds are close-on-exec and neither becomes a controlling tty.
bool open_pty(const char* ptmx, ConsoleSize size, int* master, int* peer, InitError& error);

// Child: sends `fd` as the one SCM_RIGHTS descriptor of a one-byte message.
bool send_console_fd(int socket, int fd, InitError& error);

// Child: everything a process with process.terminal does before execve:
// open_pty() in `ptmx`, the peer owned by `owner_uid` (as a login would,
// best effort), sent to the creator through `socket`, the peer made the
// controlling terminal (the caller is a session leader already) and dup2()ed
// onto 0, 1 and 2.
bool setup_console(const char* ptmx, int socket, ConsoleSize size, uid_t owner_uid,
                   InitError& error);

// Parent: receives the fd sent by send_console_fd(); EOF (the child failed
// or exited first) is an error.
Result<base::UniqueFd> receive_console_fd(int socket);

// Parent: keeps a pty whose creator goes away (a detached `exec -t`) open in
// a small background process of its own session that reads and discards its
// output until the last process using the pty closes it. Closing the only
// master would hang the terminal up and kill the processes on it.
Status hold_console_in_background(base::UniqueFd master);

}  // namespace burrow::runtime

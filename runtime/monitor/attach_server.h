// The attach socket of burrow-monitor: a SOCK_SEQPACKET listener that `burrow
// attach` (and a foreground `burrow run`) connect to. Runs in the monitor.
//
// Protocol, one message per packet:
//   monitor -> client: 1 byte stream (1 stdout, 2 stderr) + output bytes
//                      (at most kChunkSize), for output produced after the
//                      client connected; at the end 3 + exit code in decimal,
//                      after which the monitor closes the connection.
//   client -> monitor: 0 + bytes for the container's stdin (at most
//                      kChunkSize; longer messages are cut by the socket);
//                      1 + uint16 rows + uint16 cols (host order) to resize
//                      the tty; 2 to close the container's stdin.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>

#include "runtime/monitor/log_writer.h"

namespace burrow::monitor {

inline constexpr int kMaxAttachClients = 16;
inline constexpr size_t kMaxClientMessage = 1 + kChunkSize;
inline constexpr unsigned char kExitMessage = 3;

enum class ClientRequest { kStdin, kResize, kCloseStdin, kInvalid };

struct ClientMessage {
  ClientRequest request = ClientRequest::kInvalid;
  const char* data = nullptr;  // kStdin: the bytes for stdin
  size_t length = 0;
  uint16_t rows = 0;  // kResize
  uint16_t cols = 0;
};

ClientMessage parse_client_message(const char* message, size_t length);

class AttachServer {
 public:
  AttachServer();
  AttachServer(const AttachServer&) = delete;
  AttachServer& operator=(const AttachServer&) = delete;
  ~AttachServer() { shut_down(); }

  // Listens at `path` (a stale socket there is removed first), mode 0600.
  // Returns 0 or an errno.
  int listen(const char* path);
  int listen_fd() const { return listen_fd_; }

  // Accepts every pending connection; past kMaxAttachClients they are closed.
  void accept_clients();

  // Client slots, for the monitor's poll set: fd or -1.
  int client_fd(int slot) const { return clients_[slot]; }

  // Reads one message from the client in `slot`. Returns its length; 0 when
  // there was nothing to read; -1 when the client hung up and was dropped.
  ssize_t receive(int slot, char* buffer, size_t capacity);

  // Sends one output chunk to every client; a client that stays full for
  // kStallLimitMs, or fails, is dropped so it cannot stall the container.
  void broadcast(Stream stream, const char* data, size_t length);

  // Sends each client the exit message and closes it.
  void finish(int exit_code);

  // Closes the listener and every client, and removes the socket file.
  void shut_down();

  static constexpr int kStallLimitMs = 5000;

 private:
  bool send_message(int slot, const iovec* parts, int count);
  void drop(int slot);

  int listen_fd_ = -1;
  const char* path_ = nullptr;
  int clients_[kMaxAttachClients];
};

}  // namespace burrow::monitor

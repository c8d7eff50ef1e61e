// sha256 digests in the OCI form "sha256:<64 hex>".
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace burrow::base {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // Lower-case hex of the digest; the object must not be updated afterwards.
  std::string finish_hex();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

std::string sha256_hex(std::string_view data);
std::string sha256_digest(std::string_view data);  // "sha256:<hex>"
Result<std::string> sha256_file_hex(const std::string& path);
// Reads `fd` to its end.
Result<std::string> sha256_fd_hex(int fd);
// Copies `src_fd` to `dst_fd` to the end and returns the hex digest of the
// bytes written, so content that changes under us cannot slip past a check.
Result<std::string> copy_and_sha256_hex(int src_fd, int dst_fd);

bool is_hex(std::string_view text);
// Accepts only "sha256:<64 lower-case hex>"; returns the hex part. Digests
// become file names, so anything else is refused before it reaches a path.
Result<std::string> parse_sha256_digest(std::string_view digest);

}  // namespace burrow::base

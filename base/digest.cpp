#include "base/digest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "base/file_util.h"
#include "base/unique_fd.h"

namespace burrow::base {

struct Sha256::State {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(state_->ctx); }

void Sha256::update(const void* data, size_t size) { EVP_DigestUpdate(state_->ctx, data, size); }

std::string Sha256::finish_hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(state_->ctx, md, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  Sha256 hash;
  hash.update(data);
  return hash.finish_hex();
}

std::string sha256_digest(std::string_view data) { return "sha256:" + sha256_hex(data); }

namespace {

// Reads `src_fd` to its end, hashing, and writes each chunk to `dst_fd`
// unless it is negative.
Result<std::string> hash_stream(int src_fd, int dst_fd) {
  Sha256 hash;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(src_fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read");
    }
    if (n == 0) break;
    hash.update(buffer, static_cast<size_t>(n));
    if (dst_fd >= 0)
      BURROW_CHECK(write_all(dst_fd, std::string_view(buffer, static_cast<size_t>(n))));
  }
  return hash.finish_hex();
}

}  // namespace

Result<std::string> sha256_fd_hex(int fd) { return hash_stream(fd, -1); }

Result<std::string> copy_and_sha256_hex(int src_fd, int dst_fd) {
  return hash_stream(src_fd, dst_fd);
}

Result<std::string> sha256_file_hex(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno("opening {}", path);
  auto hex = sha256_fd_hex(fd.get());
  if (!hex) return tl::unexpected(hex.error().with_context("hashing " + path));
  return hex;
}

bool is_hex(std::string_view text) {
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<std::string> parse_sha256_digest(std::string_view digest) {
  constexpr std::string_view kPrefix = "sha256:";
  if (digest.substr(0, kPrefix.size()) != kPrefix)
    return failf(EINVAL, "unsupported digest \"{}\": only sha256 digests are accepted", digest);
  std::string_view hex = digest.substr(kPrefix.size());
  if (hex.size() != 64 || !is_hex(hex))
    return failf(EINVAL, "invalid digest \"{}\": expected sha256: and 64 lower-case hex digits",
                 digest);
  return std::string(hex);
}

}  // namespace burrow::base

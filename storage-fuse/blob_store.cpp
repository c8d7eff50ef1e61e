#include "storage-fuse/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/file_util.h"
#include "base/scope_exit.h"
#include "base/unique_fd.h"

namespace burrow::storage {

using base::fail_errno;
using base::failf;
using base::Result;
using base::Status;
using base::UniqueFd;

namespace {

// Validates the caller's expectation up front so a malformed digest is
// reported as such rather than as a mismatch.
Status check_digest(const std::string& actual, const std::optional<std::string>& expected) {
  if (!expected) return base::ok();
  BURROW_CHECK(base::parse_sha256_digest(*expected));
  if (*expected != actual)
    return failf(EBADMSG, "digest mismatch: expected {}, got {}", *expected, actual);
  return base::ok();
}

// Copies into the store's temporary file; the digest is of the bytes
// written, checked by the caller.
Result<std::string> copy_hashing(int src_fd, int dst_fd) {
  BURROW_TRY(std::string hex, base::copy_and_sha256_hex(src_fd, dst_fd));
  if (::fchmod(dst_fd, 0644) != 0) return fail_errno("fchmod");
  if (::fsync(dst_fd) != 0) return fail_errno("fsync");
  return "sha256:" + hex;
}

}  // namespace

BlobStore::BlobStore(std::string root)
    : blobs_dir_(base::path_join(base::path_join(root, "blobs"), "sha256")) {}

Status BlobStore::ensure_dir() const { return base::make_dirs(blobs_dir_, 0755); }

Result<std::string> BlobStore::path(const std::string& digest) const {
  BURROW_TRY(std::string hex, base::parse_sha256_digest(digest));
  return base::path_join(blobs_dir_, hex);
}

bool BlobStore::has(const std::string& digest) const {
  auto p = path(digest);
  if (!p) return false;
  struct stat st;
  return ::lstat(p->c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<std::string> BlobStore::put_bytes(std::string_view data,
                                         std::optional<std::string> expected_digest) {
  std::string digest = base::sha256_digest(data);
  BURROW_CHECK(check_digest(digest, expected_digest));
  BURROW_CHECK(ensure_dir());
  BURROW_TRY(std::string dest, path(digest));
  BURROW_CHECK(base::write_file_atomic(dest, data, 0644));
  return digest;
}

Result<std::string> BlobStore::put_file(const std::string& src_path,
                                        std::optional<std::string> expected_digest) {
  // O_NOFOLLOW: renaming a symlink into the store would store the link, not the content.
  UniqueFd src(::open(src_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!src) return fail_errno("opening {}", src_path);
  struct stat st;
  if (::fstat(src.get(), &st) != 0) return fail_errno("stat {}", src_path);
  if (!S_ISREG(st.st_mode)) return failf(EINVAL, "{} is not a regular file", src_path);
  BURROW_TRY(std::string digest, base::sha256_fd_hex(src.get()));
  digest = "sha256:" + digest;
  BURROW_CHECK(check_digest(digest, expected_digest));
  BURROW_CHECK(ensure_dir());
  BURROW_TRY(std::string dest, path(digest));
  if (::rename(src_path.c_str(), dest.c_str()) == 0) {
    if (::fchmod(src.get(), 0644) != 0) return fail_errno("fchmod {}", dest);
    return digest;
  }
  if (errno != EXDEV) return fail_errno("moving {} to {}", src_path, dest);

  // Another file system: copy beside the blob, verify what was copied, rename.
  if (::lseek(src.get(), 0, SEEK_SET) != 0) return fail_errno("seeking in {}", src_path);
  std::string tmp = base::path_join(blobs_dir_, ".incoming-XXXXXX");
  UniqueFd out(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!out) return fail_errno("creating a temporary file in {}", blobs_dir_);
  base::ScopeExit remove_tmp([&] { ::unlink(tmp.c_str()); });
  BURROW_TRY(std::string copied_digest, copy_hashing(src.get(), out.get()));
  if (copied_digest != digest)
    return failf(EBADMSG, "{} changed while it was being stored ({} then {})", src_path, digest,
                 copied_digest);
  if (::rename(tmp.c_str(), dest.c_str()) != 0) return fail_errno("renaming {} to {}", tmp, dest);
  remove_tmp.dismiss();
  ::unlink(src_path.c_str());
  return digest;
}

Status BlobStore::adopt_file(const std::string& src_path, const std::string& digest) {
  BURROW_TRY(std::string dest, path(digest));
  UniqueFd src(::open(src_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!src) return fail_errno("opening {}", src_path);
  struct stat st;
  if (::fstat(src.get(), &st) != 0) return fail_errno("stat {}", src_path);
  if (!S_ISREG(st.st_mode)) return failf(EINVAL, "{} is not a regular file", src_path);
  BURROW_CHECK(ensure_dir());
  if (::fchmod(src.get(), 0644) != 0) return fail_errno("fchmod {}", src_path);
  if (::rename(src_path.c_str(), dest.c_str()) != 0)
    return fail_errno("moving {} to {}", src_path, dest);
  return base::ok();
}

Status BlobStore::remove(const std::string& digest) {
  BURROW_TRY(std::string p, path(digest));
  if (::unlink(p.c_str()) != 0 && errno != ENOENT) return fail_errno("removing blob {}", digest);
  return base::ok();
}

}  // namespace burrow::storage

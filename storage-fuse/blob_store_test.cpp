#include "storage-fuse/blob_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/digest.h"
#include "base/file_util.h"
#include "storage-fuse/safe_path.h"
#include "storage-fuse/test_archive.h"

namespace burrow::storage {
namespace {

using ::testing::HasSubstr;

class BlobStoreTest : public ::testing::Test {
 protected:
  std::vector<std::string> stored_names() {
    auto fd = base::open_dir(tmp_.sub("store/blobs/sha256"));
    if (!fd) return {};
    return *list_dir_at(fd->get());
  }
  test::TempDir tmp_;
  BlobStore store_{tmp_.sub("store")};
};

TEST_F(BlobStoreTest, PutBytesStoresUnderDigest) {
  auto digest = store_.put_bytes("hello", base::sha256_digest("hello"));
  ASSERT_TRUE(digest) << digest.error().message;
  EXPECT_EQ(*digest, base::sha256_digest("hello"));
  EXPECT_TRUE(store_.has(*digest));
  EXPECT_EQ(test::read_text(*store_.path(*digest)), "hello");
  EXPECT_EQ(*store_.path(*digest), tmp_.sub("store/blobs/sha256/" + base::sha256_hex("hello")));
}

TEST_F(BlobStoreTest, MismatchStoresNothing) {
  std::string wrong = base::sha256_digest("other");
  auto digest = store_.put_bytes("hello", wrong);
  ASSERT_FALSE(digest);
  EXPECT_THAT(digest.error().message, HasSubstr(wrong));
  EXPECT_THAT(digest.error().message, HasSubstr(base::sha256_digest("hello")));
  EXPECT_TRUE(stored_names().empty());
  EXPECT_FALSE(store_.has(base::sha256_digest("hello")));
}

TEST_F(BlobStoreTest, PutFileMovesAndVerifies) {
  std::string src = tmp_.sub("download");
  ASSERT_TRUE(base::write_file_atomic(src, "layer bytes"));
  auto bad = store_.put_file(src, base::sha256_digest("nope"));
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("digest mismatch"));
  EXPECT_TRUE(base::path_exists(src)) << "a refused source is left alone";
  EXPECT_TRUE(stored_names().empty());

  auto digest = store_.put_file(src, std::nullopt);
  ASSERT_TRUE(digest) << digest.error().message;
  EXPECT_EQ(*digest, base::sha256_digest("layer bytes"));
  EXPECT_FALSE(base::path_exists(src));
  EXPECT_EQ(test::read_text(*store_.path(*digest)), "layer bytes");
}

TEST_F(BlobStoreTest, PutFileAcrossFileSystemsCopies) {
  // /dev/shm is a tmpfs on Linux, so rename(2) reports EXDEV.
  auto shm = base::make_temp_dir("/dev/shm", "burrow-blob-test-");
  if (!shm) GTEST_SKIP() << "no writable /dev/shm: " << shm.error().message;
  std::string src = base::path_join(*shm, "download");
  ASSERT_TRUE(base::write_file_atomic(src, "far away"));
  auto digest = store_.put_file(src, base::sha256_digest("far away"));
  (void)base::remove_tree(*shm);
  ASSERT_TRUE(digest) << digest.error().message;
  EXPECT_EQ(test::read_text(*store_.path(*digest)), "far away");
  EXPECT_EQ(stored_names().size(), 1u) << "no temporary file left behind";
}

TEST_F(BlobStoreTest, PathRefusesMalformedDigests) {
  EXPECT_FALSE(store_.path("sha256:../../etc/passwd"));
  EXPECT_FALSE(store_.path("md5:abc"));
  EXPECT_FALSE(store_.has("sha256:.."));
  EXPECT_FALSE(store_.put_bytes("x", std::string("sha256:zz")));
}

TEST_F(BlobStoreTest, RemoveIsIdempotent) {
  auto digest = store_.put_bytes("gone soon", std::nullopt);
  ASSERT_TRUE(digest);
  ASSERT_TRUE(store_.remove(*digest));
  EXPECT_FALSE(store_.has(*digest));
  EXPECT_TRUE(store_.remove(*digest));
}

}  // namespace
}  // namespace burrow::storage

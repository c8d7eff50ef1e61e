#include "engine/image_save_layout.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>

#include "base/digest.h"
#include "base/file_util.h"

namespace burrow::engine {
namespace {

class SaveLayoutTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = *base::make_temp_dir("/tmp", "burrow-save-test-"); }
  void TearDown() override { ASSERT_TRUE(base::remove_tree(dir_)); }

  std::string path(const std::string& name) const { return base::path_join(dir_, name); }

  base::UniqueFd write_file(const std::string& name, const std::string& content) {
    base::UniqueFd fd(::open(path(name).c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    EXPECT_TRUE(fd.valid());
    EXPECT_TRUE(base::write_all(fd.get(), content));
    return fd;
  }

  static std::string read_all(int fd) {
    std::string out(4096, '\0');
    std::string content;
    for (off_t offset = 0;;) {
      ssize_t n = ::pread(fd, out.data(), out.size(), offset);
      if (n <= 0) break;
      content.append(out.data(), static_cast<size_t>(n));
      offset += n;
    }
    return content;
  }

  static LayoutMember bytes_member(const std::string& name, const std::string& bytes) {
    LayoutMember member;
    member.name = name;
    member.bytes = bytes;
    return member;
  }

  std::string dir_;
};

struct TarEntry {
  std::string content;
  mode_t type = 0;
  int64_t uid = -1;
  int64_t mtime = -1;
};

// name -> entry, and the names in order.
std::pair<std::map<std::string, TarEntry>, std::vector<std::string>> read_tar(
    const std::string& file) {
  std::map<std::string, TarEntry> entries;
  std::vector<std::string> order;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_filename(a, file.c_str(), 10240), ARCHIVE_OK);
  archive_entry* entry = nullptr;
  while (archive_read_next_header(a, &entry) == ARCHIVE_OK) {
    TarEntry e;
    e.type = archive_entry_filetype(entry);
    e.uid = archive_entry_uid(entry);
    e.mtime = archive_entry_mtime(entry);
    char buffer[4096];
    for (la_ssize_t n; (n = archive_read_data(a, buffer, sizeof buffer)) > 0;)
      e.content.append(buffer, static_cast<size_t>(n));
    order.push_back(archive_entry_pathname(entry));
    entries[order.back()] = e;
  }
  archive_read_free(a);
  return {entries, order};
}

TEST_F(SaveLayoutTest, TarHoldsMembersWithFixedOwnersAndTimes) {
  std::vector<LayoutMember> members;
  members.push_back(bytes_member("blobs/sha256/abc", "blob bytes"));
  LayoutMember file;
  file.name = "layer.tar";
  file.file = write_file("source", "from a file");
  file.size = 11;
  members.push_back(std::move(file));
  members.push_back(bytes_member("index.json", "{}"));
  base::UniqueFd out = write_file("out.tar", "");
  ASSERT_TRUE(write_layout_tar(members, out.get()));

  auto [entries, order] = read_tar(path("out.tar"));
  EXPECT_EQ(order, (std::vector<std::string>{"blobs/", "blobs/sha256/", "blobs/sha256/abc",
                                             "layer.tar", "index.json"}));
  EXPECT_EQ(entries["blobs/"].type, AE_IFDIR);
  EXPECT_EQ(entries["blobs/sha256/abc"].content, "blob bytes");
  EXPECT_EQ(entries["layer.tar"].content, "from a file");
  EXPECT_EQ(entries["layer.tar"].uid, 0);
  EXPECT_EQ(entries["layer.tar"].mtime, 0);
}

TEST_F(SaveLayoutTest, FileShorterThanItsSizeFails) {
  std::vector<LayoutMember> members;
  LayoutMember file;
  file.name = "layer.tar";
  file.file = write_file("source", "short");
  file.size = 100;
  members.push_back(std::move(file));
  base::UniqueFd out = write_file("out.tar", "");
  auto written = write_layout_tar(members, out.get());
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message.find("shorter"), std::string::npos);
}

TEST_F(SaveLayoutTest, DirectoryHoldsMembers) {
  std::vector<LayoutMember> members;
  members.push_back(bytes_member("blobs/sha256/abc", "blob bytes"));
  members.push_back(bytes_member("oci-layout", "{}"));
  ASSERT_TRUE(base::make_dirs(path("layout")));
  ASSERT_TRUE(write_layout_dir(members, path("layout")));
  EXPECT_EQ(*base::read_file(path("layout/blobs/sha256/abc")), "blob bytes");
  EXPECT_EQ(*base::read_file(path("layout/oci-layout")), "{}");
}

TEST_F(SaveLayoutTest, GzipThenDecompressGivesTheLayerBack) {
  std::string layer(200000, 'x');
  for (size_t i = 0; i < layer.size(); i += 7) layer[i] = static_cast<char>('a' + i % 26);
  base::UniqueFd blob = write_file("layer", layer);
  auto packed = gzip_layer(blob.get(), static_cast<int64_t>(layer.size()), path("layer.gz"));
  ASSERT_TRUE(packed) << packed.error().message;
  std::string gz = read_all(packed->file.get());
  ASSERT_GE(gz.size(), 10u);
  EXPECT_EQ(gz.substr(0, 2), "\x1f\x8b");
  EXPECT_EQ(gz.substr(4, 4), std::string(4, '\0'));  // no timestamp: the same input, the same blob
  EXPECT_LT(packed->size, static_cast<int64_t>(layer.size()));
  EXPECT_EQ(packed->digest, base::sha256_digest(gz));

  auto plain = decompress_layer(packed->file.get(), path("layer.out"));
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(plain->digest, base::sha256_digest(layer));
  EXPECT_EQ(plain->size, static_cast<int64_t>(layer.size()));
  EXPECT_EQ(read_all(plain->file.get()), layer);
}

TEST_F(SaveLayoutTest, DecompressRejectsCorruptGzip) {
  base::UniqueFd blob = write_file("bad.gz", std::string("\x1f\x8b\x08\x00garbage-garbage", 19));
  EXPECT_FALSE(decompress_layer(blob.get(), path("out")));
}

}  // namespace
}  // namespace burrow::engine

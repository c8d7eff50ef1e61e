#include "engine/image_store.h"

#include <gtest/gtest.h>

#include "base/file_util.h"

namespace burrow::engine {
namespace {

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = *base::make_temp_dir("/tmp", "burrow-db-test-");
    auto db = Database::open(base::path_join(dir_, "state.db"));
    ASSERT_TRUE(db) << db.error().message;
    db_.emplace(std::move(*db));
  }
  void TearDown() override { ASSERT_TRUE(base::remove_tree(dir_)); }

  ImageRecord image(const std::string& id, std::vector<std::string> diff_ids,
                    std::vector<std::string> names) {
    ImageRecord record;
    record.id = id;
    record.config = "{}";
    record.diff_ids = std::move(diff_ids);
    record.names = std::move(names);
    return record;
  }
  static LayerRecord layer(const std::string& diff_id) {
    return {diff_id, "sha256:blob-" + diff_id, "application/vnd.oci.image.layer.v1.tar", 10};
  }

  std::string dir_;
  std::optional<Database> db_;
};

TEST_F(ImageStoreTest, AddListAndFind) {
  ImageStore store(*db_);
  ASSERT_TRUE(
      store.add(image("aaa1", {"l1", "l2"}, {"localhost/a:latest"}), {layer("l1"), layer("l2")}));
  auto images = store.list();
  ASSERT_TRUE(images);
  ASSERT_EQ(images->size(), 1u);
  EXPECT_EQ((*images)[0].names, std::vector<std::string>{"localhost/a:latest"});
  EXPECT_EQ((*images)[0].diff_ids, (std::vector<std::string>{"l1", "l2"}));
  EXPECT_TRUE(store.find_by_id("aaa1")->has_value());
  EXPECT_EQ(*store.ids_with_prefix("aa"), std::vector<std::string>{"aaa1"});
  EXPECT_TRUE(store.ids_with_prefix("b")->empty());
}

TEST_F(ImageStoreTest, NameMovesToNewestImage) {
  ImageStore store(*db_);
  ASSERT_TRUE(store.add(image("a1", {"l1"}, {"localhost/x:latest"}), {layer("l1")}));
  ASSERT_TRUE(store.add(image("b2", {"l1"}, {"localhost/x:latest"}), {layer("l1")}));
  auto first = *store.find_by_id("a1");
  auto second = *store.find_by_id("b2");
  EXPECT_TRUE(first->names.empty());
  EXPECT_EQ(second->names, std::vector<std::string>{"localhost/x:latest"});
}

TEST_F(ImageStoreTest, RemoveReturnsOnlyUnsharedLayers) {
  ImageStore store(*db_);
  ASSERT_TRUE(store.add(image("a1", {"shared", "own"}, {}), {layer("shared"), layer("own")}));
  ASSERT_TRUE(store.add(image("b2", {"shared"}, {}), {layer("shared")}));
  auto orphans = store.remove("a1");
  ASSERT_TRUE(orphans);
  ASSERT_EQ(orphans->size(), 1u);
  EXPECT_EQ((*orphans)[0].diff_id, "own");
  EXPECT_FALSE(store.layer("own")->has_value());
  EXPECT_TRUE(store.layer("shared")->has_value());
}

TEST_F(ImageStoreTest, TagAndUntag) {
  ImageStore store(*db_);
  ASSERT_TRUE(store.add(image("a1", {}, {}), {}));
  ASSERT_TRUE(store.tag("a1", "localhost/y:1"));
  EXPECT_EQ(store.find_by_id("a1").value()->names, std::vector<std::string>{"localhost/y:1"});
  EXPECT_TRUE(*store.untag("localhost/y:1"));
  EXPECT_FALSE(*store.untag("localhost/y:1"));
}

TEST_F(ImageStoreTest, ReopenKeepsData) {
  {
    ImageStore store(*db_);
    ASSERT_TRUE(store.add(image("a1", {}, {"localhost/z:latest"}), {}));
  }
  db_.reset();
  auto reopened = Database::open(base::path_join(dir_, "state.db"));
  ASSERT_TRUE(reopened);
  ImageStore store(*reopened);
  EXPECT_EQ(store.list()->size(), 1u);
}

}  // namespace
}  // namespace burrow::engine

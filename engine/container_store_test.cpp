#include "engine/container_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "base/file_util.h"
#include "engine/schema.h"

namespace burrow::engine {
namespace {

constexpr int64_t kMay1 = 1714521600;  // 2024-05-01T00:00:00Z
constexpr int64_t kNs = 1'000'000'000;

class ContainerStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = *base::make_temp_dir("/tmp", "burrow-db-test-"); }
  void TearDown() override { ASSERT_TRUE(base::remove_tree(dir_)); }
  std::string db_path() const { return base::path_join(dir_, "state.db"); }

  // A database as schema version 2 left it, when times were seconds.
  void write_version_2_database() {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db_path().c_str(), &raw), SQLITE_OK);
    auto exec = [&](const char* sql) {
      char* error = nullptr;
      ASSERT_EQ(sqlite3_exec(raw, sql, nullptr, nullptr, &error), SQLITE_OK) << error;
    };
    exec(kSchemaMigrations[0]);
    exec(kSchemaMigrations[1]);
    exec("PRAGMA user_version=2");
    exec("INSERT INTO images(id, config, created, added, size) VALUES('img', '{}', 0, 0, 0)");
    exec(
        "INSERT INTO containers(id, name, image_id, image_name, created, state, config, "
        "started_at, finished_at) VALUES('c1', 'old', 'img', 'busybox', 1714521600, 'exited', "
        "'{}', 1714521601, 1714521602)");
    exec(
        "INSERT INTO containers(id, name, image_id, image_name, created, state, config) "
        "VALUES('c2', 'never-started', 'img', 'busybox', 1714521600, 'created', '{}')");
    sqlite3_close(raw);
  }

  std::string dir_;
};

TEST_F(ContainerStoreTest, VersionTwoSecondsBecomeNanoseconds) {
  write_version_2_database();
  auto db = Database::open(db_path());
  ASSERT_TRUE(db) << db.error().message;
  ContainerStore store(*db);
  auto old = store.get("c1");
  ASSERT_TRUE(old && *old);
  EXPECT_EQ((*old)->created_ns, kMay1 * kNs);
  EXPECT_EQ((*old)->started_ns, (kMay1 + 1) * kNs);
  EXPECT_EQ((*old)->finished_ns, (kMay1 + 2) * kNs);
  auto never = store.get("c2");
  ASSERT_TRUE(never && *never);
  EXPECT_FALSE((*never)->started_ns);
  EXPECT_FALSE((*never)->finished_ns);
}

TEST_F(ContainerStoreTest, TimesKeepTheirNanoseconds) {
  auto db = Database::open(db_path());
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE(db->exec(
      "INSERT INTO images(id, config, created, added, size) VALUES('img', '{}', 0, 0, 0)"));
  ContainerStore store(*db);
  ContainerRecord record;
  record.id = "c3";
  record.name = "fresh";
  record.image_id = "img";
  record.image_name = "busybox";
  record.created_ns = kMay1 * kNs + 123456789;
  record.config = "{}";
  ASSERT_TRUE(store.add(record));
  record.pid = 42;
  record.started_ns = kMay1 * kNs + 987654321;
  ASSERT_TRUE(store.set_running(record));
  ASSERT_TRUE(store.set_exited("c3", 3, (kMay1 + 5) * kNs + 1));
  auto read = store.get("c3");
  ASSERT_TRUE(read && *read);
  EXPECT_EQ((*read)->created_ns, kMay1 * kNs + 123456789);
  EXPECT_EQ((*read)->started_ns, kMay1 * kNs + 987654321);
  EXPECT_EQ((*read)->finished_ns, (kMay1 + 5) * kNs + 1);
  EXPECT_EQ((*read)->exit_code, 3);
}

}  // namespace
}  // namespace burrow::engine

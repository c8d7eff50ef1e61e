#include "engine/store_config.h"

#include <gtest/gtest.h>

namespace burrow::engine {
namespace {

TEST(StoreConfig, FillsUnsetOptions) {
  StoreOptions options;
  options.graph_root = "/from/flag";
  ASSERT_TRUE(apply_store_config(
      "[storage]\ndriver = \"vfs\"\ngraphroot = \"/from/file\"\nrunroot = \"/run/x\"\n",
      "test.conf", options));
  EXPECT_EQ(options.storage_driver, "vfs");
  EXPECT_EQ(options.graph_root, "/from/flag");  // the command line wins
  EXPECT_EQ(options.run_root, "/run/x");
}

TEST(StoreConfig, MalformedFileNamesFileAndLine) {
  StoreOptions options;
  auto result = apply_store_config("[storage]\ndriver = \n", "bad.conf", options);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("bad.conf:2"), std::string::npos) << result.error().message;
}

TEST(StoreConfig, WrongTypeIsAnError) {
  StoreOptions options;
  auto result = apply_store_config("[storage]\ndriver = 3\n", "t.conf", options);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("storage.driver must be a string"), std::string::npos);
}

TEST(StoreConfig, EmptyFileChangesNothing) {
  StoreOptions options;
  ASSERT_TRUE(apply_store_config("", "empty.conf", options));
  EXPECT_FALSE(options.storage_driver);
}

}  // namespace
}  // namespace burrow::engine

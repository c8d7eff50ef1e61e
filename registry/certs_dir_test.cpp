// certs.d discovery.
#include "registry/certs_dir.h"

#include <gtest/gtest.h>

#include "registry/config_test_util.h"

namespace burrow::registry {
namespace {

using testing::ScopedEnv;
using testing::TempDir;

TEST(CertsDir, SortsCasAndTheClientPair) {
  TempDir dir;
  dir.write("certs/ca.crt", "CA");
  dir.write("certs/another.crt", "CA2");
  dir.write("certs/client.cert", "CERT");
  dir.write("certs/client.key", "KEY");
  dir.write("certs/README", "ignored");
  dir.write("certs/nested.crt/inner.crt", "a directory named .crt is not a CA");
  std::string certs = dir.path() + "/certs";
  auto files = tls_files_for("ignored.example:5000", certs);
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(files->ca_files, (std::vector<std::string>{certs + "/another.crt", certs + "/ca.crt"}));
  EXPECT_EQ(files->client_cert, certs + "/client.cert");
  EXPECT_EQ(files->client_key, certs + "/client.key");
  EXPECT_EQ(files->dir, certs);
}

TEST(CertsDir, AnUnpairedCertOrKeyIsAnErrorNamingBoth) {
  TempDir dir;
  dir.write("a/client.cert", "CERT");
  auto files = tls_files_in(dir.path() + "/a");
  ASSERT_FALSE(files);
  EXPECT_NE(files.error().message.find("client.cert has no matching client.key"), std::string::npos)
      << files.error().message;
  EXPECT_NE(files.error().message.find(dir.path() + "/a"), std::string::npos);

  dir.write("b/user.key", "KEY");
  files = tls_files_in(dir.path() + "/b");
  ASSERT_FALSE(files);
  EXPECT_NE(files.error().message.find("user.key has no matching user.cert"), std::string::npos)
      << files.error().message;
}

TEST(CertsDir, TheFirstExistingHostDirectoryIsUsedAlone) {
  TempDir dir;
  ScopedEnv env;
  env.set("HOME", dir.path());
  std::vector<std::string> candidates = cert_dir_candidates("reg.test:5000");
  ASSERT_EQ(candidates.size(), 3u);
  EXPECT_EQ(candidates[0], dir.path() + "/.config/containers/certs.d/reg.test:5000");
  EXPECT_EQ(candidates[1], "/etc/containers/certs.d/reg.test:5000");
  EXPECT_EQ(candidates[2], "/etc/docker/certs.d/reg.test:5000");

  dir.write(".config/containers/certs.d/reg.test:5000/ca.crt", "CA");
  auto files = tls_files_for("reg.test:5000", std::nullopt);
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(files->ca_files, std::vector<std::string>{candidates[0] + "/ca.crt"});
  EXPECT_EQ(files->client_cert, "");
}

TEST(CertsDir, NoDirectoryMeansNoFiles) {
  TempDir dir;
  ScopedEnv env;
  env.set("HOME", dir.path());
  auto files = tls_files_for("no-such-registry.invalid:1", std::nullopt);
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_TRUE(files->ca_files.empty());
  EXPECT_EQ(files->dir, "");
  files = tls_files_for("x", dir.path() + "/missing");
  ASSERT_TRUE(files);
  EXPECT_TRUE(files->ca_files.empty());
}

}  // namespace
}  // namespace burrow::registry

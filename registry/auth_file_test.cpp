// auth.json: paths, lookups, edits.
#include "registry/auth_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "base/file_util.h"
#include "registry/config_test_util.h"

namespace burrow::registry {
namespace {

using testing::ScopedEnv;
using testing::TempDir;
using Json = nlohmann::json;

std::string auth(const std::string& user_pass) { return base::base64_encode(user_pass); }

class AuthFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Fallback files come from these; point them into the temporary tree.
    env_.set("HOME", dir_.path() + "/home")
        .set("XDG_CONFIG_HOME", std::nullopt)
        .set("DOCKER_CONFIG", std::nullopt);
  }
  Json read_json(const std::string& path) {
    auto text = base::read_file(path);
    EXPECT_TRUE(text) << path;
    return Json::parse(text.value_or("{}"));
  }
  std::optional<Credentials> find(std::string_view key, bool fallbacks = false) {
    auto found = find_credentials(primary_, key, fallbacks);
    EXPECT_TRUE(found) << found.error().message;
    return found.value_or(std::nullopt);
  }

  TempDir dir_;
  ScopedEnv env_;
  std::string primary_ = dir_.path() + "/run/containers/auth.json";
};

TEST_F(AuthFileTest, StoreThenFindRoundTrips) {
  ASSERT_TRUE(store_credentials(primary_, "localhost:5000", {"alice", "pa:ss word", ""}));
  auto creds = find("localhost:5000/some/repo");
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->username, "alice");
  EXPECT_EQ(creds->password, "pa:ss word");  // only the first colon separates
  EXPECT_EQ(creds->identity_token, "");

  ASSERT_TRUE(store_credentials(primary_, "quay.io", {"bob", "", "refresh-token"}));
  creds = find("quay.io");
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->identity_token, "refresh-token");
  EXPECT_EQ(read_json(primary_)["auths"]["quay.io"]["auth"], auth("bob:"));
}

TEST_F(AuthFileTest, FileAndParentsArePrivate) {
  ASSERT_TRUE(store_credentials(primary_, "a.io", {"u", "p", ""}));
  struct stat st {};
  ASSERT_EQ(::stat(primary_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat((dir_.path() + "/run/containers").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

TEST_F(AuthFileTest, MostSpecificEntryWins) {
  dir_.write("run/containers/auth.json", Json{{"auths",
                                               {{"reg.local", {{"auth", auth("host:1")}}},
                                                {"reg.local/team", {{"auth", auth("team:2")}}},
                                                {"reg.local/team/app", {{"auth", auth("app:3")}}},
                                                {"reg.local/teamx", {{"auth", auth("x:4")}}}}}}
                                             .dump());
  EXPECT_EQ(find("reg.local/team/app")->username, "app");
  EXPECT_EQ(find("reg.local/team/other")->username, "team");
  EXPECT_EQ(find("reg.local/team/app/sub")->username, "app");
  EXPECT_EQ(find("reg.local/teamy/app")->username, "host");
  EXPECT_EQ(find("reg.local")->username, "host");
  EXPECT_FALSE(find("other.local/team/app"));
}

TEST_F(AuthFileTest, UrlKeysAndDockerHubNamesMatchTheirHost) {
  dir_.write("run/containers/auth.json",
             Json{{"auths",
                   {{"https://index.docker.io/v1/", {{"auth", auth("hub:1")}}},
                    {"http://legacy.local:5000/v2/", {{"auth", auth("legacy:2")}}},
                    {"helper.io", Json::object()}}}}
                 .dump());
  EXPECT_EQ(find("docker.io/library/busybox")->username, "hub");
  EXPECT_EQ(find("legacy.local:5000/x")->username, "legacy");
  EXPECT_FALSE(find("helper.io/x")) << "an empty entry (credential helper marker) has nothing";
}

TEST_F(AuthFileTest, FallbacksOnlyWhenAsked) {
  dir_.write("home/.config/containers/auth.json",
             Json{{"auths", {{"a.io", {{"auth", auth("config:1")}}}}}}.dump());
  dir_.write(
      "home/.docker/config.json",
      Json{{"auths",
            {{"a.io", {{"auth", auth("docker:1")}}}, {"b.io", {{"auth", auth("dockeronly:2")}}}}}}
          .dump());
  EXPECT_FALSE(find("a.io", false));
  EXPECT_EQ(find("a.io", true)->username, "config");
  EXPECT_EQ(find("b.io", true)->username, "dockeronly");
  ASSERT_TRUE(store_credentials(primary_, "a.io", {"primary", "1", ""}));
  EXPECT_EQ(find("a.io", true)->username, "primary");

  env_.set("DOCKER_CONFIG", dir_.path() + "/dockercfg");
  dir_.write("dockercfg/config.json",
             Json{{"auths", {{"c.io", {{"auth", auth("env:3")}}}}}}.dump());
  EXPECT_EQ(find("c.io", true)->username, "env");
}

TEST_F(AuthFileTest, MalformedFilesAreErrorsNamingThem) {
  for (const char* text : {"", "{not json", "[]", "{\"auths\": []}"}) {
    std::string file = dir_.write("run/containers/auth.json", text);
    auto found = find_credentials(file, "a.io", false);
    ASSERT_FALSE(found) << text;
    EXPECT_NE(found.error().message.find(file), std::string::npos) << found.error().message;
    EXPECT_FALSE(store_credentials(file, "b.io", {"u", "p", ""})) << "must not overwrite " << text;
    EXPECT_EQ(base::read_file(file).value_or("?"), text);
  }
}

TEST_F(AuthFileTest, MalformedEntriesAreErrorsNamingThem) {
  for (const char* text : {"{\"auths\": {\"a.io\": 3}}", "{\"auths\": {\"a.io\": {\"auth\": 5}}}",
                           "{\"auths\": {\"a.io\": {\"auth\": \"!!notbase64\"}}}"}) {
    std::string file = dir_.write("run/containers/auth.json", text);
    auto found = find_credentials(file, "a.io/x", false);
    ASSERT_FALSE(found) << text;
    EXPECT_NE(found.error().message.find(file), std::string::npos) << found.error().message;
    EXPECT_NE(found.error().message.find("\"a.io\""), std::string::npos) << found.error().message;
  }
}

TEST_F(AuthFileTest, EditsKeepOtherEntriesAndUnknownKeys) {
  dir_.write("run/containers/auth.json", Json{{"auths", {{"keep.io", {{"auth", auth("k:1")}}}}},
                                              {"credHelpers", {{"gcr.io", "gcloud"}}},
                                              {"HttpHeaders", {{"User-Agent", "x"}}}}
                                             .dump());
  ASSERT_TRUE(store_credentials(primary_, "new.io/ns", {"n", "2", ""}));
  Json doc = read_json(primary_);
  EXPECT_EQ(doc["credHelpers"]["gcr.io"], "gcloud");
  EXPECT_EQ(doc["HttpHeaders"]["User-Agent"], "x");
  EXPECT_EQ(doc["auths"]["keep.io"]["auth"], auth("k:1"));
  EXPECT_EQ(doc["auths"]["new.io/ns"]["auth"], auth("n:2"));

  auto removed = remove_credentials(primary_, "new.io/ns");
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  removed = remove_credentials(primary_, "new.io/ns");
  ASSERT_TRUE(removed);
  EXPECT_FALSE(*removed);
  doc = read_json(primary_);
  EXPECT_FALSE(doc["auths"].contains("new.io/ns"));
  EXPECT_TRUE(doc["auths"].contains("keep.io"));

  ASSERT_TRUE(remove_all_credentials(primary_));
  doc = read_json(primary_);
  EXPECT_TRUE(doc["auths"].empty());
  EXPECT_EQ(doc["credHelpers"]["gcr.io"], "gcloud");
}

TEST_F(AuthFileTest, RemovingAHostAlsoRemovesItsUrlEntries) {
  dir_.write("run/containers/auth.json",
             Json{{"auths",
                   {{"https://index.docker.io/v1/", {{"auth", auth("hub:1")}}},
                    {"docker.io/someone", {{"auth", auth("ns:1")}}}}}}
                 .dump());
  auto removed = remove_credentials(primary_, "docker.io");
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  Json doc = read_json(primary_);
  EXPECT_EQ(doc["auths"].size(), 1u);
  EXPECT_TRUE(doc["auths"].contains("docker.io/someone"));
}

TEST_F(AuthFileTest, MissingFilesHaveNothing) {
  EXPECT_FALSE(find("a.io", true));
  auto removed = remove_credentials(primary_, "a.io");
  ASSERT_TRUE(removed);
  EXPECT_FALSE(*removed);
  EXPECT_TRUE(remove_all_credentials(primary_));
  EXPECT_FALSE(base::path_exists(primary_));
}

TEST_F(AuthFileTest, RefusesKeysWithSchemeTagOrDigest) {
  for (const char* key : {"https://a.io", "a.io/x:1", "a.io/x@sha256:00", ""})
    EXPECT_FALSE(store_credentials(primary_, key, {"u", "p", ""})) << key;
  EXPECT_TRUE(store_credentials(primary_, "localhost:5000/ns", {"u", "p", ""}));
}

TEST(NormalizeAuthKey, StripsUrlsAndNamesDockerHubOneWay) {
  EXPECT_EQ(normalize_auth_key("quay.io"), "quay.io");
  EXPECT_EQ(normalize_auth_key("https://quay.io/"), "quay.io");
  EXPECT_EQ(normalize_auth_key("http://localhost:5000/v2/"), "localhost:5000");
  EXPECT_EQ(normalize_auth_key("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(normalize_auth_key("index.docker.io"), "docker.io");
  EXPECT_EQ(normalize_auth_key("registry-1.docker.io"), "docker.io");
  EXPECT_EQ(normalize_auth_key("docker.io/team/"), "docker.io/team");
  EXPECT_EQ(normalize_auth_key(" reg.local/ns/repo "), "reg.local/ns/repo");
}

TEST(AuthFilePath, PodmanOrderWithBurrowFallbacks) {
  TempDir dir;
  ScopedEnv env;
  env.set("REGISTRY_AUTH_FILE", std::nullopt)
      .set("XDG_RUNTIME_DIR", std::nullopt)
      .set("XDG_CONFIG_HOME", dir.path() + "/config");
  EXPECT_EQ(auth_file_path(std::string("/x/flag.json"), 1000), "/x/flag.json");
  EXPECT_EQ(auth_file_path(std::nullopt, 0), "/run/containers/0/auth.json");
  // No uid has a session directory this high.
  EXPECT_EQ(auth_file_path(std::nullopt, 4000000000u), dir.path() + "/config/containers/auth.json");
  env.set("XDG_RUNTIME_DIR", "/run/user/1000");
  EXPECT_EQ(auth_file_path(std::nullopt, 1000), "/run/user/1000/containers/auth.json");
  env.set("REGISTRY_AUTH_FILE", "/env/auth.json");
  EXPECT_EQ(auth_file_path(std::nullopt, 1000), "/env/auth.json");
  EXPECT_EQ(auth_file_path(std::string(""), 1000), "/env/auth.json");
}

}  // namespace
}  // namespace burrow::registry

#include "image/image_config.h"

#include <gtest/gtest.h>

namespace burrow::image {
namespace {

const std::string kDiff1 = "sha256:" + std::string(64, '1');
const std::string kDiff2 = "sha256:" + std::string(64, '2');

std::string config_with(const std::string& rootfs, const std::string& extra = "") {
  return R"({"architecture":"amd64","os":"linux")" + extra + R"(,"rootfs":)" + rootfs + "}";
}

TEST(ImageConfigTest, ParsesFullConfig) {
  std::string json = R"({
    "created": "2024-01-02T03:04:05.678Z",
    "author": "someone",
    "architecture": "arm",
    "variant": "v7",
    "os": "linux",
    "config": {
      "User": "1000:1000",
      "Env": ["PATH=/bin", "A=b"],
      "Entrypoint": ["/entry"],
      "Cmd": ["sh", "-c", "true"],
      "WorkingDir": "/work",
      "Labels": {"a": "1", "b": "2"},
      "ExposedPorts": {"80/tcp": {}, "53/udp": {}},
      "Volumes": {"/data": {}},
      "StopSignal": "SIGTERM",
      "Unknown": 42
    },
    "rootfs": {"type": "layers", "diff_ids": [")" +
                     kDiff1 + R"(", ")" + kDiff2 + R"("]},
    "history": [
      {"created": "2024-01-02T03:04:05Z", "created_by": "ADD x /", "comment": "c"},
      {"created_by": "ENV A=b", "empty_layer": true}
    ]
  })";
  auto config = parse_image_config(json);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->created, "2024-01-02T03:04:05.678Z");
  EXPECT_EQ(config->created_epoch, 1704164645);
  EXPECT_EQ(config->author, "someone");
  EXPECT_EQ(config->architecture, "arm");
  EXPECT_EQ(config->variant, "v7");
  EXPECT_EQ(config->config.user, "1000:1000");
  EXPECT_EQ(config->config.env, (std::vector<std::string>{"PATH=/bin", "A=b"}));
  EXPECT_EQ(config->config.entrypoint, (std::vector<std::string>{"/entry"}));
  EXPECT_EQ(config->config.cmd, (std::vector<std::string>{"sh", "-c", "true"}));
  EXPECT_EQ(config->config.working_dir, "/work");
  EXPECT_EQ(config->config.labels.at("b"), "2");
  EXPECT_EQ(config->config.exposed_ports, (std::vector<std::string>{"53/udp", "80/tcp"}));
  EXPECT_EQ(config->config.volumes, (std::vector<std::string>{"/data"}));
  EXPECT_EQ(config->config.stop_signal, "SIGTERM");
  EXPECT_EQ(config->rootfs.diff_ids, (std::vector<std::string>{kDiff1, kDiff2}));
  ASSERT_EQ(config->history.size(), 2u);
  EXPECT_EQ(config->history[0].created_by, "ADD x /");
  EXPECT_TRUE(config->history[1].empty_layer);
}

TEST(ImageConfigTest, AcceptsNullsAndMissingOptionalFields) {
  auto config = parse_image_config(
      config_with(R"({"type":"layers","diff_ids":[]})", R"(,"config":{"Env":null,"Cmd":null})"));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->config.env.empty());
  EXPECT_FALSE(config->created_epoch);
}

TEST(ImageConfigTest, KeepsUnparsableCreatedAsText) {
  auto config = parse_image_config(
      config_with(R"({"type":"layers","diff_ids":[]})", R"(,"created":"yesterday")"));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->created, "yesterday");
  EXPECT_FALSE(config->created_epoch);
}

TEST(ImageConfigTest, RejectsMissingRootfs) {
  auto config = parse_image_config(R"({"architecture":"amd64","os":"linux"})");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message, "image config: required field \"rootfs\" is missing");
}

TEST(ImageConfigTest, RejectsWrongRootfsType) {
  auto config = parse_image_config(config_with(R"({"type":"tarballs","diff_ids":[]})"));
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("rootfs.type"), std::string::npos);
}

TEST(ImageConfigTest, RejectsBadDiffIds) {
  const std::string cases[] = {R"("sha256:abc")", "\"sha512:" + std::string(128, 'a') + "\"", "42",
                               R"("../etc")", "\"sha256:" + std::string(64, 'A') + "\""};
  for (const auto& bad : cases) {
    auto config = parse_image_config(config_with(R"({"type":"layers","diff_ids":[)" + bad + "]}"));
    ASSERT_FALSE(config) << bad;
    EXPECT_NE(config.error().message.find("diff_ids"), std::string::npos) << config.error().message;
  }
}

TEST(ImageConfigTest, WrongTypesNameTheField) {
  struct Case {
    const char* extra;
    const char* field;
  } cases[] = {
      {R"(,"config":{"Env":"PATH=/bin"})", "config.Env"},
      {R"(,"config":{"Cmd":[1,2]})", "config.Cmd"},
      {R"(,"config":{"Labels":{"a":1}})", "config.Labels"},
      {R"(,"config":{"ExposedPorts":["80/tcp"]})", "config.ExposedPorts"},
      {R"(,"config":{"User":0})", "config.User"},
      {R"(,"config":[])", "config"},
      {R"(,"created":123)", "created"},
      {R"(,"history":[{"empty_layer":"yes"}])", "history[0].empty_layer"},
      {R"(,"history":{})", "history"},
  };
  for (const auto& c : cases) {
    auto config = parse_image_config(config_with(R"({"type":"layers","diff_ids":[]})", c.extra));
    ASSERT_FALSE(config) << c.extra;
    EXPECT_NE(config.error().message.find(std::string("\"") + c.field + "\""), std::string::npos)
        << config.error().message;
  }
}

TEST(ImageConfigTest, RejectsInvalidJson) {
  EXPECT_FALSE(parse_image_config("{"));
  EXPECT_FALSE(parse_image_config("[]"));
  EXPECT_FALSE(parse_image_config(""));
}

TEST(ImageConfigTest, SerializeRoundTrips) {
  ImageConfig config;
  config.created = "2024-01-02T03:04:05Z";
  config.created_epoch = 1704164645;
  config.architecture = "amd64";
  config.os = "linux";
  config.config.env = {"PATH=/usr/bin:/bin"};
  config.config.cmd = {"sh"};
  config.config.exposed_ports = {"80/tcp"};
  config.config.labels = {{"k", "v"}};
  config.rootfs.diff_ids = {kDiff1};
  config.history = {{"2024-01-02T03:04:05Z", "burrow import", "", "", false}};
  std::string json = serialize_image_config(config);
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_EQ(json.rfind(R"({"created":"2024-01-02T03:04:05Z","architecture":"amd64")", 0), 0u)
      << json;
  auto parsed = parse_image_config(json);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, config);
}

TEST(ImageConfigTest, ParsesAndWritesHealthcheck) {
  std::string json =
      config_with(R"({"type":"layers","diff_ids":[]})",
                  R"(,"config":{"Healthcheck":{"Test":["CMD-SHELL","true"],"Interval":1000000000,)"
                  R"("Retries":2}})");
  auto config = parse_image_config(json);
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_TRUE(config->config.healthcheck);
  EXPECT_EQ(config->config.healthcheck->test, (std::vector<std::string>{"CMD-SHELL", "true"}));
  EXPECT_EQ(config->config.healthcheck->interval, 1000000000);
  EXPECT_EQ(config->config.healthcheck->timeout, 0);
  EXPECT_EQ(config->config.healthcheck->retries, 2);
  auto again = parse_image_config(serialize_image_config(*config));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->config.healthcheck, config->config.healthcheck);
}

TEST(ImageConfigTest, RejectsNegativeHealthcheckValues) {
  std::string json =
      config_with(R"({"type":"layers","diff_ids":[]})",
                  R"(,"config":{"Healthcheck":{"Test":["CMD","true"],"Retries":-1}})");
  EXPECT_FALSE(parse_image_config(json));
}

}  // namespace
}  // namespace burrow::image

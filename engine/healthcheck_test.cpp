#include "engine/healthcheck.h"

#include <gtest/gtest.h>

#include "image/image_config.h"

namespace burrow::engine {
namespace {

HealthLogEntry result(int exit_code) { return {"s", "e", exit_code, "out"}; }

TEST(HealthStateTest, PassMakesHealthyAndResetsTheStreak) {
  HealthConfig config;
  HealthState state;
  state.failing_streak = 2;
  apply_health_result(state, config, result(0), false);
  EXPECT_EQ(state.status, "healthy");
  EXPECT_EQ(state.failing_streak, 0);
  ASSERT_EQ(state.log.size(), 1u);
}

TEST(HealthStateTest, UnhealthyOnlyAfterRetriesFailuresInARow) {
  HealthConfig config;
  config.retries = 2;
  HealthState state;
  apply_health_result(state, config, result(1), false);
  EXPECT_EQ(state.status, "starting");
  EXPECT_EQ(state.failing_streak, 1);
  apply_health_result(state, config, result(1), false);
  EXPECT_EQ(state.status, "unhealthy");
  EXPECT_EQ(state.failing_streak, 2);
  apply_health_result(state, config, result(0), false);
  EXPECT_EQ(state.status, "healthy");
}

TEST(HealthStateTest, HealthyStaysHealthyUntilRetriesRunOut) {
  HealthConfig config;
  config.retries = 3;
  HealthState state;
  apply_health_result(state, config, result(0), false);
  apply_health_result(state, config, result(1), false);
  apply_health_result(state, config, result(1), false);
  EXPECT_EQ(state.status, "healthy");
  apply_health_result(state, config, result(1), false);
  EXPECT_EQ(state.status, "unhealthy");
}

TEST(HealthStateTest, FailuresInTheStartPeriodDoNotCount) {
  HealthConfig config;
  config.retries = 1;
  HealthState state;
  apply_health_result(state, config, result(1), true);
  EXPECT_EQ(state.status, "starting");
  EXPECT_EQ(state.failing_streak, 0);
  EXPECT_EQ(state.log.size(), 1u);
  apply_health_result(state, config, result(0), true);
  EXPECT_EQ(state.status, "healthy");
}

TEST(HealthStateTest, KeepsTheLastFiveResults) {
  HealthConfig config;
  HealthState state;
  for (int i = 0; i < 7; ++i)
    apply_health_result(state, config, {"s", "e", 0, std::to_string(i)}, false);
  ASSERT_EQ(state.log.size(), kHealthLogEntries);
  EXPECT_EQ(state.log.front().output, "2");
  EXPECT_EQ(state.log.back().output, "6");
}

TEST(HealthStateTest, JsonRoundTrip) {
  HealthState state{"unhealthy", 3, {result(1), result(1)}};
  auto json = health_state_json(state);
  EXPECT_EQ(json["Status"], "unhealthy");
  EXPECT_EQ(json["Log"][0]["ExitCode"], 1);
  EXPECT_EQ(health_state_from_json(json), state);
}

TEST(HealthConfigTest, ParsesCommands) {
  EXPECT_EQ(*parse_health_command("curl -f x || exit 1"),
            (std::vector<std::string>{"CMD-SHELL", "curl -f x || exit 1"}));
  EXPECT_EQ(*parse_health_command(R"(["CMD", "true"])"), (std::vector<std::string>{"CMD", "true"}));
  EXPECT_EQ(*parse_health_command(R"(["/bin/check", "-v"])"),
            (std::vector<std::string>{"CMD", "/bin/check", "-v"}));
  EXPECT_EQ(*parse_health_command("none"), (std::vector<std::string>{"NONE"}));
  EXPECT_FALSE(parse_health_command(""));
  EXPECT_FALSE(parse_health_command("[1, 2]"));
  EXPECT_FALSE(parse_health_command(R"(["CMD"])"));
}

TEST(HealthConfigTest, ParsesGoDurations) {
  EXPECT_EQ(*parse_health_duration("30s", "--x"), 30 * kSecondNs);
  EXPECT_EQ(*parse_health_duration("1m30s", "--x"), 90 * kSecondNs);
  EXPECT_EQ(*parse_health_duration("500ms", "--x"), kSecondNs / 2);
  EXPECT_EQ(*parse_health_duration("1.5h", "--x"), 5400 * kSecondNs);
  EXPECT_EQ(*parse_health_duration("disable", "--x", true), 0);
  EXPECT_FALSE(parse_health_duration("disable", "--x"));
  EXPECT_FALSE(parse_health_duration("30", "--x"));
  EXPECT_FALSE(parse_health_duration("-1s", "--x"));
  EXPECT_FALSE(parse_health_duration("1x", "--x"));
}

TEST(HealthConfigTest, FlagsOverrideTheImageWhichOverridesDefaults) {
  image::HealthcheckConfig from_image;
  from_image.test = {"CMD-SHELL", "check"};
  from_image.interval = 5 * kSecondNs;
  from_image.retries = 7;
  HealthOverrides flags;
  auto config = resolve_healthcheck(flags, &from_image);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->test, from_image.test);
  EXPECT_EQ(config->interval_ns, 5 * kSecondNs);
  EXPECT_EQ(config->timeout_ns, 30 * kSecondNs);
  EXPECT_EQ(config->retries, 7);
  flags.interval_ns = 0;
  flags.test = std::vector<std::string>{"CMD", "true"};
  config = resolve_healthcheck(flags, &from_image);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->interval_ns, 0);
  EXPECT_EQ(config->test, (std::vector<std::string>{"CMD", "true"}));
}

TEST(HealthConfigTest, NoneAndNoHealthcheckDisable) {
  image::HealthcheckConfig from_image;
  from_image.test = {"CMD-SHELL", "check"};
  HealthOverrides flags;
  flags.disabled = true;
  EXPECT_FALSE(resolve_healthcheck(flags, &from_image));
  flags.disabled = false;
  flags.test = std::vector<std::string>{"NONE"};
  EXPECT_FALSE(resolve_healthcheck(flags, &from_image));
  EXPECT_FALSE(resolve_healthcheck(HealthOverrides{}, nullptr));
}

TEST(HealthConfigTest, CommandArgv) {
  EXPECT_EQ(health_command_argv({"CMD-SHELL", "exit 1"}),
            (std::vector<std::string>{"/bin/sh", "-c", "exit 1"}));
  EXPECT_EQ(health_command_argv({"CMD", "/bin/true", "x"}),
            (std::vector<std::string>{"/bin/true", "x"}));
}

}  // namespace
}  // namespace burrow::engine

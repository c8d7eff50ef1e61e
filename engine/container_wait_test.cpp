#include "engine/container_wait.h"

#include <gtest/gtest.h>

namespace burrow::engine {
namespace {

using namespace std::chrono_literals;

TEST(ParseWaitCondition, EveryPodmanName) {
  const std::pair<const char*, WaitCondition> names[] = {
      {"configured", WaitCondition::kConfigured},   {"created", WaitCondition::kCreated},
      {"exited", WaitCondition::kExited},           {"healthy", WaitCondition::kHealthy},
      {"initialized", WaitCondition::kInitialized}, {"paused", WaitCondition::kPaused},
      {"removing", WaitCondition::kRemoving},       {"running", WaitCondition::kRunning},
      {"stopped", WaitCondition::kStopped},         {"stopping", WaitCondition::kStopping},
      {"unhealthy", WaitCondition::kUnhealthy},
  };
  for (const auto& [name, condition] : names) {
    auto parsed = parse_wait_condition(name);
    ASSERT_TRUE(parsed) << name << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, condition) << name;
  }
}

TEST(ParseWaitCondition, UnknownNameListsTheKnownOnes) {
  for (const char* bad : {"", "Running", "dead", "stopped "}) {
    auto parsed = parse_wait_condition(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, EINVAL);
    EXPECT_NE(parsed.error().message.find("configured, created, exited"), std::string::npos)
        << parsed.error().message;
  }
}

TEST(StateMeetsCondition, StatesMapToPodmanConditions) {
  EXPECT_TRUE(state_meets_condition("created", WaitCondition::kCreated));
  EXPECT_TRUE(state_meets_condition("created", WaitCondition::kConfigured));
  EXPECT_FALSE(state_meets_condition("running", WaitCondition::kCreated));
  EXPECT_TRUE(state_meets_condition("running", WaitCondition::kRunning));
  EXPECT_FALSE(state_meets_condition("paused", WaitCondition::kRunning));
  EXPECT_TRUE(state_meets_condition("paused", WaitCondition::kPaused));
  EXPECT_TRUE(state_meets_condition("stopping", WaitCondition::kStopping));
  for (const char* started : {"running", "paused", "stopping"})
    EXPECT_TRUE(state_meets_condition(started, WaitCondition::kInitialized)) << started;
  for (const char* not_started : {"created", "exited"})
    EXPECT_FALSE(state_meets_condition(not_started, WaitCondition::kInitialized)) << not_started;
}

TEST(StateMeetsCondition, ExitRemovalAndHealthAreNotStates) {
  for (WaitCondition condition :
       {WaitCondition::kStopped, WaitCondition::kExited, WaitCondition::kRemoving,
        WaitCondition::kHealthy, WaitCondition::kUnhealthy}) {
    for (const char* state : {"created", "running", "paused", "stopping", "exited"})
      EXPECT_FALSE(state_meets_condition(state, condition)) << state;
  }
}

TEST(ParseWaitInterval, DurationsAndBareMilliseconds) {
  auto check = [](const char* text, std::chrono::milliseconds expected) {
    auto parsed = parse_wait_interval(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, expected) << text;
  };
  check("250ms", 250ms);
  check("1s", 1000ms);
  check("1.5s", 1500ms);
  check("1m", 60000ms);
  check("500", 500ms);
  check("1", 1ms);
}

TEST(ParseWaitInterval, JunkZeroAndBelowAMillisecondAreErrors) {
  for (const char* bad : {"", "0", "0s", "10us", "abc", "5x", "-1s", "1 s"}) {
    auto parsed = parse_wait_interval(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, EINVAL) << bad;
    EXPECT_NE(parsed.error().message.find("--interval"), std::string::npos)
        << parsed.error().message;
  }
}

}  // namespace
}  // namespace burrow::engine

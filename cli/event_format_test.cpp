#include "cli/event_format.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

namespace burrow::cli {
namespace {

class EventFormatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
};

engine::Event sample() {
  engine::Event e;
  e.type = "container";
  e.status = "create";
  e.id = "0123456789abcdef0123";
  e.name = "web";
  e.image = "localhost/busybox:latest";
  e.attributes = {{"a", "1"}};
  e.time_ns = 1700000000123456000;
  return e;
}

TEST_F(EventFormatTest, TimeAsGoPrintsIt) {
  EXPECT_EQ(event_time_text(1700000000123456000), "2023-11-14 22:13:20.123456 +0000 UTC");
  EXPECT_EQ(event_time_text(1700000000000000000), "2023-11-14 22:13:20 +0000 UTC");
}

TEST_F(EventFormatTest, ContainerLine) {
  EXPECT_EQ(event_line(sample(), false),
            "2023-11-14 22:13:20.123456 +0000 UTC container create 0123456789abcdef0123 "
            "(image=localhost/busybox:latest, name=web, a=1)");
  EXPECT_EQ(event_line(sample(), true),
            "2023-11-14 22:13:20.123456 +0000 UTC container create 0123456789ab "
            "(image=localhost/busybox:latest, name=web, a=1)");
}

TEST_F(EventFormatTest, DiedAndHealthLinesCarryTheirDetails) {
  auto e = sample();
  e.status = "died";
  e.exit_code = 3;
  e.attributes.clear();
  EXPECT_NE(event_line(e, false).find("(image=localhost/busybox:latest, name=web, "
                                      "containerExitCode=3)"),
            std::string::npos);
  e.status = "health_status";
  e.exit_code.reset();
  e.health_status = "healthy";
  EXPECT_NE(event_line(e, false).find("name=web, health_status=healthy)"), std::string::npos);
}

TEST_F(EventFormatTest, ImageLine) {
  engine::Event e;
  e.type = "image";
  e.status = "tag";
  e.id = "abc";
  e.name = "localhost/x:1";
  e.time_ns = 1700000000000000000;
  EXPECT_EQ(event_line(e, false), "2023-11-14 22:13:20 +0000 UTC image tag abc localhost/x:1");
}

TEST_F(EventFormatTest, TemplateValues) {
  auto values = event_template_values(sample());
  EXPECT_EQ(values["Status"], "create");
  EXPECT_EQ(values["Name"], "web");
  EXPECT_EQ(values["TimeNano"], 1700000000123456000);
  EXPECT_EQ(values["Attributes"]["a"], "1");
}

}  // namespace
}  // namespace burrow::cli

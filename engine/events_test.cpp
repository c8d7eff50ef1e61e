#include "engine/events.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/file_util.h"

namespace burrow::engine {
namespace {

Event sample(std::string status, int64_t time_ns) {
  Event e;
  e.type = "container";
  e.status = std::move(status);
  e.id = "0123456789abcdef";
  e.name = "web";
  e.image = "localhost/busybox:latest";
  e.attributes = {{"tier", "front"}};
  e.time_ns = time_ns;
  return e;
}

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = *base::make_temp_dir("/tmp", "burrow-events-test-");
    paths_.graph_root = dir_ + "/root";
    paths_.run_root = dir_ + "/run";
  }
  void TearDown() override { (void)base::remove_tree(dir_); }

  std::vector<Event> read_all(const std::vector<std::string>& filters = {},
                              EventReadOptions options = {}) {
    std::vector<Event> out;
    auto filter = EventFilter::parse(filters);
    EXPECT_TRUE(filter);
    EXPECT_TRUE(read_events(paths_, options, *filter, [&](const Event& e) {
      out.push_back(e);
      return true;
    }));
    return out;
  }

  std::string dir_;
  StorePaths paths_;
};

TEST(EventJsonTest, RoundTripsWithPodmansFieldNames) {
  Event e = sample("died", 1700000000123456789);
  e.exit_code = 3;
  std::string line = event_to_json(e);
  EXPECT_EQ(line,
            R"({"ContainerExitCode":3,"ID":"0123456789abcdef","Image":"localhost/busybox:latest",)"
            R"("Name":"web","Status":"died","Time":"2023-11-14T22:13:20.123456789Z",)"
            R"("Type":"container","Attributes":{"tier":"front"}})");
  auto back = event_from_json(line);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, e);
}

TEST(EventJsonTest, RejectsDamagedLines) {
  EXPECT_FALSE(event_from_json("{\"Type\":\"container\""));
  EXPECT_FALSE(event_from_json("[]"));
  EXPECT_FALSE(event_from_json(R"({"Type":"container","Status":"x","Time":"yesterday"})"));
  EXPECT_FALSE(event_from_json(R"({"Status":"x","Time":"2023-11-14T22:13:20Z"})"));
}

TEST(EventFilterTest, SameKeyIsAnyDifferentKeysAreAll) {
  auto filter = EventFilter::parse({"event=start", "event=died", "container=web"});
  ASSERT_TRUE(filter);
  EXPECT_TRUE(filter->matches(sample("start", 1)));
  EXPECT_TRUE(filter->matches(sample("died", 1)));
  EXPECT_FALSE(filter->matches(sample("create", 1)));
  Event other = sample("start", 1);
  other.name = "db";
  other.id = "ffff";
  EXPECT_FALSE(filter->matches(other));
}

TEST(EventFilterTest, UnderstandsPodmanAliasesAndShortNames) {
  EXPECT_TRUE(EventFilter::parse({"event=die"})->matches(sample("died", 1)));
  EXPECT_TRUE(EventFilter::parse({"status=died"})->matches(sample("died", 1)));
  EXPECT_TRUE(EventFilter::parse({"container=0123"})->matches(sample("died", 1)));
  EXPECT_TRUE(EventFilter::parse({"image=busybox"})->matches(sample("died", 1)));
  EXPECT_FALSE(EventFilter::parse({"image=alpine"})->matches(sample("died", 1)));
  EXPECT_TRUE(EventFilter::parse({"label=tier"})->matches(sample("died", 1)));
  EXPECT_TRUE(EventFilter::parse({"label=tier=front"})->matches(sample("died", 1)));
  EXPECT_FALSE(EventFilter::parse({"label=tier=back"})->matches(sample("died", 1)));
  EXPECT_FALSE(EventFilter::parse({"type=image"})->matches(sample("died", 1)));
}

TEST(EventFilterTest, RejectsUnknownKeys) {
  EXPECT_FALSE(EventFilter::parse({"volume=x"}));
  EXPECT_FALSE(EventFilter::parse({"noequals"}));
}

TEST_F(EventLogTest, MissingLogIsEmpty) { EXPECT_TRUE(read_all().empty()); }

TEST_F(EventLogTest, RecordsAndReadsInOrderWithTimeBounds) {
  record_event(paths_, sample("create", 100));
  record_event(paths_, sample("start", 200));
  record_event(paths_, sample("died", 300));
  auto all = read_all();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].status, "create");
  EXPECT_EQ(all[2].status, "died");
  EventReadOptions bounded;
  bounded.since_ns = 150;
  bounded.until_ns = 250;
  auto middle = read_all({}, bounded);
  ASSERT_EQ(middle.size(), 1u);
  EXPECT_EQ(middle[0].status, "start");
  EXPECT_EQ(read_all({"event=died"}).size(), 1u);
}

TEST_F(EventLogTest, RotatesPastTheCapAndStillReadsBothFiles) {
  ASSERT_TRUE(base::make_dirs(paths_.run_root + "/events", 0700));
  std::string path = events_log_path(paths_);
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(append_event_line(path, event_to_json(sample("exec", i + 1)), 1000));
  struct stat info {};
  ASSERT_EQ(::stat((path + ".1").c_str(), &info), 0);
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_LT(info.st_size, 1000 + 400);
  auto all = read_all();
  ASSERT_FALSE(all.empty());
  // The oldest generation is dropped, the rest stays in order.
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].time_ns, all[i].time_ns);
  EXPECT_EQ(all.back().time_ns, 10);
}

TEST_F(EventLogTest, SkipsDamagedLines) {
  ASSERT_TRUE(base::make_dirs(paths_.run_root + "/events", 0700));
  std::string path = events_log_path(paths_);
  ASSERT_TRUE(append_event_line(path, "garbage", kEventLogMaxSize));
  ASSERT_TRUE(append_event_line(path, event_to_json(sample("start", 5)), kEventLogMaxSize));
  auto all = read_all();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].status, "start");
}

TEST_F(EventLogTest, FollowStopsWhenTheCallbackSaysSo) {
  record_event(paths_, sample("create", 1));
  EventReadOptions options;
  options.follow = true;
  int seen = 0;
  auto filter = EventFilter::parse({});
  ASSERT_TRUE(read_events(paths_, options, *filter, [&](const Event&) {
    ++seen;
    return false;
  }));
  EXPECT_EQ(seen, 1);
}

TEST_F(EventLogTest, FollowEndsWhenAskedToStop) {
  EventReadOptions options;
  options.follow = true;
  options.only_new = true;
  options.stop = [] { return true; };
  EXPECT_TRUE(read_all({}, options).empty());
}

}  // namespace
}  // namespace burrow::engine

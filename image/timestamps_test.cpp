#include "image/timestamps.h"

#include <gtest/gtest.h>

namespace burrow::image {
namespace {

TEST(TimestampsTest, ParsesUtcAndOffsets) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z").value(), (Timestamp{0, 0}));
  EXPECT_EQ(parse_rfc3339("2024-02-29T12:34:56Z").value(), (Timestamp{1709210096, 0}));
  EXPECT_EQ(parse_rfc3339("2024-02-29T14:34:56+02:00").value(), (Timestamp{1709210096, 0}));
  EXPECT_EQ(parse_rfc3339("2024-02-29t07:04:56-05:30").value(), (Timestamp{1709210096, 0}));
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59Z").value(), (Timestamp{-1, 0}));
}

TEST(TimestampsTest, ParsesFractions) {
  EXPECT_EQ(parse_rfc3339("2023-01-02T03:04:05.5Z").value().nanos, 500000000);
  EXPECT_EQ(parse_rfc3339("2023-01-02T03:04:05.123456789Z").value().nanos, 123456789);
  EXPECT_EQ(parse_rfc3339("2023-01-02T03:04:05.000000001+01:00").value(),
            (Timestamp{1672625045, 1}));
}

TEST(TimestampsTest, ParsesGoZeroTime) {
  auto zero = parse_rfc3339("0001-01-01T00:00:00Z");
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->seconds, -62135596800);
  EXPECT_EQ(format_rfc3339(*zero), "0001-01-01T00:00:00Z");
}

TEST(TimestampsTest, RejectsMalformed) {
  const char* cases[] = {
      "",
      "2024-01-01",
      "2024-01-01T00:00:00",
      "2024-13-01T00:00:00Z",
      "2023-02-29T00:00:00Z",
      "2024-01-01T24:00:00Z",
      "2024-01-01T00:00:00.Z",
      "2024-01-01T00:00:00.1234567891Z",
      "2024-01-01T00:00:00+0200",
      "2024-01-01T00:00:00+02:00x",
      "2024/01/01T00:00:00Z",
      "0000-01-01T00:00:00Z",
  };
  for (const char* text : cases) EXPECT_FALSE(parse_rfc3339(text)) << text;
}

TEST(TimestampsTest, FormatsLikeGo) {
  EXPECT_EQ(format_rfc3339({0, 0}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339({1709210096, 0}), "2024-02-29T12:34:56Z");
  EXPECT_EQ(format_rfc3339({1709210096, 120000000}), "2024-02-29T12:34:56.12Z");
  EXPECT_EQ(format_rfc3339({-1, 0}), "1969-12-31T23:59:59Z");
}

TEST(TimestampsTest, RoundTrips) {
  for (int64_t s : {int64_t{0}, int64_t{951782400}, int64_t{4102444800}, int64_t{-86401}}) {
    Timestamp t{s, 987654321};
    EXPECT_EQ(parse_rfc3339(format_rfc3339(t)).value(), t);
  }
}

}  // namespace
}  // namespace burrow::image

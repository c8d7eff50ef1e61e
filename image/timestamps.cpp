#include "image/timestamps.h"

#include <fmt/core.h>

#include <cerrno>

namespace burrow::image {

using base::failf;
using base::Result;

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil): exact for any year, unlike timegm() with its time_t and
// TZ dependencies.
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year;
  int month;
  int day;
};

Civil civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return Civil{yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

bool is_leap(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Reads exactly `count` digits at `pos`; false when they are not all digits.
bool read_digits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

// Parses the "Z" / "+hh:mm" tail; returns the offset east of UTC in seconds.
bool parse_offset(std::string_view tail, int64_t& offset) {
  if (tail == "Z" || tail == "z") {
    offset = 0;
    return true;
  }
  int hours = 0, minutes = 0;
  if (tail.size() != 6 || (tail[0] != '+' && tail[0] != '-') || tail[3] != ':') return false;
  if (!read_digits(tail, 1, 2, hours) || !read_digits(tail, 4, 2, minutes)) return false;
  if (hours > 23 || minutes > 59) return false;
  offset = (hours * 3600 + minutes * 60) * (tail[0] == '-' ? -1 : 1);
  return true;
}

}  // namespace

Result<Timestamp> parse_rfc3339(std::string_view text) {
  auto invalid = [&] { return failf(EINVAL, "invalid RFC 3339 timestamp \"{}\"", text); };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' ||
      !read_digits(text, 5, 2, month) || text[7] != '-' || !read_digits(text, 8, 2, day))
    return invalid();
  char sep = text[10];
  if (sep != 'T' && sep != 't' && sep != ' ') return invalid();
  if (!read_digits(text, 11, 2, hour) || text[13] != ':' || !read_digits(text, 14, 2, minute) ||
      text[16] != ':' || !read_digits(text, 17, 2, second))
    return invalid();
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
      hour > 23 || minute > 59 || second > 60)
    return invalid();
  size_t pos = 19;
  int32_t nanos = 0;
  if (text[pos] == '.') {
    size_t digits = 0;
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (++digits > 9) return invalid();
      nanos = nanos * 10 + (text[pos] - '0');
      ++pos;
    }
    if (digits == 0) return invalid();
    for (size_t i = digits; i < 9; ++i) nanos *= 10;
  }
  int64_t offset = 0;
  if (!parse_offset(text.substr(pos), offset)) return invalid();
  // A leap second (":60") is folded into the next second, as Go does.
  int64_t seconds =
      days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  return Timestamp{seconds, nanos};
}

std::string format_rfc3339(Timestamp time) {
  int64_t days = time.seconds / 86400;
  int64_t rem = time.seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  Civil date = civil_from_days(days);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", date.year, date.month,
                                date.day, rem / 3600, rem / 60 % 60, rem % 60);
  if (time.nanos > 0) {
    std::string frac = fmt::format("{:09}", time.nanos);
    frac.erase(frac.find_last_not_of('0') + 1);
    out += "." + frac;
  }
  return out + "Z";
}

}  // namespace burrow::image

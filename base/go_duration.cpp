#include "base/go_duration.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <utility>

namespace burrow::base {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Trailing zeros of a fraction dropped: "737137571" stays, "500000000" -> "5".
std::string fraction(int64_t value, int digits) {
  std::string text = fmt::format("{:0{}}", value, digits);
  while (!text.empty() && text.back() == '0') text.pop_back();
  return text.empty() ? "" : "." + text;
}

std::string small_duration(int64_t ns) {
  if (ns < 1000) return std::to_string(ns) + "ns";
  if (ns < 1000000) return std::to_string(ns / 1000) + fraction(ns % 1000, 3) + "µs";
  return std::to_string(ns / 1000000) + fraction(ns % 1000000, 6) + "ms";
}

}  // namespace

std::optional<int64_t> parse_go_duration(std::string_view text) {
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"ns", 1},
      {"us", 1000},
      {"\u00b5s", 1000},  // micro sign
      {"\u03bcs", 1000},  // Greek small letter mu
      {"ms", 1000 * 1000},
      {"s", kNanosPerSecond},
      {"m", 60 * kNanosPerSecond},
      {"h", 3600 * kNanosPerSecond},
  };
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return 0;
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  while (!text.empty()) {
    bool any_digit = false;
    int64_t whole = 0;
    for (; !text.empty() && is_digit(text.front()); text.remove_prefix(1)) {
      any_digit = true;
      if (__builtin_mul_overflow(whole, 10, &whole) ||
          __builtin_add_overflow(whole, text.front() - '0', &whole))
        return std::nullopt;
    }
    // Go keeps the fraction as a float too; digits past what a double holds are dropped.
    double fraction = 0;
    double scale = 1;
    if (!text.empty() && text.front() == '.') {
      for (text.remove_prefix(1); !text.empty() && is_digit(text.front()); text.remove_prefix(1)) {
        any_digit = true;
        if (scale < 1e18) {
          fraction = fraction * 10 + (text.front() - '0');
          scale *= 10;
        }
      }
    }
    if (!any_digit) return std::nullopt;
    size_t unit_end = 0;
    while (unit_end < text.size() && !is_digit(text[unit_end]) && text[unit_end] != '.') ++unit_end;
    std::string_view unit = text.substr(0, unit_end);
    text.remove_prefix(unit_end);
    auto known = std::find_if(std::begin(kUnits), std::end(kUnits),
                              [&](const auto& entry) { return entry.first == unit; });
    if (known == std::end(kUnits)) return std::nullopt;
    int64_t value = 0;
    auto fraction_nanos =
        static_cast<int64_t>(fraction * (static_cast<double>(known->second) / scale));
    if (__builtin_mul_overflow(whole, known->second, &value) ||
        __builtin_add_overflow(value, fraction_nanos, &value) ||
        __builtin_add_overflow(total, value, &total))
      return std::nullopt;
  }
  return negative ? -total : total;
}

std::string format_go_duration(int64_t ns) {
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  if (ns < 0) ns = -ns;
  if (ns < kNanosPerSecond) return sign + small_duration(ns);
  int64_t seconds = ns / kNanosPerSecond;
  std::string text = sign;
  if (seconds >= 3600) text += std::to_string(seconds / 3600) + "h";
  if (seconds >= 60) text += std::to_string(seconds / 60 % 60) + "m";
  return text + std::to_string(seconds % 60) + fraction(ns % kNanosPerSecond, 9) + "s";
}

}  // namespace burrow::base

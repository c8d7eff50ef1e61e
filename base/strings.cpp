#include "base/strings.h"

#include <fmt/core.h>

#include <cctype>
#include <cmath>

namespace burrow::base {

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.emplace_back(text.substr(start));
      return parts;
    }
    parts.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::vector<std::string> split_whitespace(std::string_view text) {
  std::vector<std::string> fields;
  size_t at = 0;
  while (at < text.size()) {
    at = text.find_first_not_of(" \t\n\r", at);
    if (at == std::string_view::npos) break;
    size_t end = text.find_first_of(" \t\n\r", at);
    if (end == std::string_view::npos) end = text.size();
    fields.emplace_back(text.substr(at, end - at));
    at = end;
  }
  return fields;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

std::string human_size(uint64_t bytes) {
  // Decimal units with three significant digits, as the Go units package does.
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1000.0 && unit < 5) {
    value /= 1000.0;
    ++unit;
  }
  std::string text = fmt::format("{:.3g}", value);
  return fmt::format("{} {}", text, kUnits[unit]);
}

std::string human_duration_ago(int64_t seconds) {
  if (seconds < 1) return "Less than a second ago";
  if (seconds == 1) return "1 second ago";
  if (seconds < 60) return fmt::format("{} seconds ago", seconds);
  int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute ago";
  if (minutes < 60) return fmt::format("{} minutes ago", minutes);
  int64_t hours = static_cast<int64_t>(std::round(seconds / 3600.0));
  if (hours == 1) return "About an hour ago";
  if (hours < 48) return fmt::format("{} hours ago", hours);
  if (hours < 24 * 7 * 2) return fmt::format("{} days ago", hours / 24);
  if (hours < 24 * 30 * 2) return fmt::format("{} weeks ago", hours / 24 / 7);
  if (hours < 24 * 365 * 2) return fmt::format("{} months ago", hours / 24 / 30);
  return fmt::format("{} years ago", hours / 24 / 365);
}

}  // namespace burrow::base

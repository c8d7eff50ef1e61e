// Process-wide logging to stderr, filtered by --log-level.
#pragma once

#include <fmt/core.h>

#include <string_view>

#include "base/result.h"

namespace burrow::base {

enum class LogLevel { kDebug = 0, kInfo, kWarn, kError, kFatal, kPanic };

void set_log_level(LogLevel level);
LogLevel log_level();
Result<LogLevel> parse_log_level(std::string_view name);
void log_line(LogLevel level, std::string_view text);

template <typename... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
  if (log_level() <= LogLevel::kDebug)
    log_line(LogLevel::kDebug, fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  if (log_level() <= LogLevel::kInfo)
    log_line(LogLevel::kInfo, fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) {
  if (log_level() <= LogLevel::kWarn)
    log_line(LogLevel::kWarn, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace burrow::base

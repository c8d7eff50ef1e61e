#include "base/log.h"

#include <unistd.h>

#include <chrono>
#include <string>

namespace burrow::base {
namespace {
LogLevel g_level = LogLevel::kWarn;
// Debug lines carry the time since start-up, so --log-level debug doubles
// as a profile of a command's phases.
const auto g_start = std::chrono::steady_clock::now();
}  // namespace

void set_log_level(LogLevel level) { g_level = level; }
LogLevel log_level() { return g_level; }

Result<LogLevel> parse_log_level(std::string_view name) {
  if (name == "debug" || name == "trace") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warn" || name == "warning") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  if (name == "fatal") return LogLevel::kFatal;
  if (name == "panic") return LogLevel::kPanic;
  return failf(EINVAL, "invalid log level \"{}\": use debug, info, warn, error, fatal or panic",
               name);
}

void log_line(LogLevel level, std::string_view text) {
  static constexpr const char* kPrefix[] = {"DEBU", "INFO", "WARN", "ERRO", "FATA", "PANI"};
  // Podman prints warnings as "WARN[0000] text"; scripts grep for that shape.
  auto elapsed =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - g_start);
  std::string line =
      level == LogLevel::kDebug
          ? fmt::format("{}[{:04}] ({:.3f} ms) {}\n", kPrefix[0],
                        static_cast<int>(elapsed.count() / 1000), elapsed.count(), text)
          : fmt::format("{}[{:04}] {}\n", kPrefix[static_cast<int>(level)],
                        static_cast<int>(elapsed.count() / 1000), text);
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace burrow::base

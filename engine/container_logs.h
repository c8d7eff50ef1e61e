// Container logs as the monitor writes them, one record per line, in
// Podman's default k8s-file format,
//   <RFC 3339 time with nanoseconds and offset> <stdout|stderr> <F|P> <text>
// where P marks a partial line continued by the next record of the stream,
// or in Docker's json-file format,
//   {"log":"<text>\n","stream":"stdout|stderr","time":"<RFC 3339 UTC time>"}
// where a "log" without its final newline is the partial line.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "engine/container_store.h"
#include "engine/store_paths.h"

namespace burrow::engine {

struct LogRecord {
  int64_t time_ns = 0;    // Unix time in nanoseconds
  std::string time_text;  // the timestamp as written
  bool is_stderr = false;
  bool partial = false;
  std::string text;  // without the trailing newline
};

// One line of a k8s-file log, without its newline. Malformed lines are an
// error naming what is wrong.
Result<LogRecord> parse_k8s_log_line(std::string_view line);

// One line of a json-file log, without its newline; the same errors.
Result<LogRecord> parse_json_log_line(std::string_view line);

enum class LogFormat { kK8sFile, kJsonFile };

// The format of a --log-driver's log; nullopt for "none" (no log at all).
std::optional<LogFormat> log_format_of_driver(std::string_view driver);

// --since and --until: RFC 3339 (with or without fraction and offset, "Z"
// allowed), a date "2006-01-02", Unix seconds with optional fraction, or a
// Go duration ("10m", "1h30m", "2.5s") counted back from now_ns.
Result<int64_t> parse_log_time(std::string_view text, int64_t now_ns);

struct LogsOptions {
  LogFormat format = LogFormat::kK8sFile;
  bool timestamps = false;          // -t: prefix each line with its time as written
  std::optional<int64_t> since_ns;  // records before are skipped
  std::optional<int64_t> until_ns;  // records after are skipped
  std::optional<size_t> tail;       // only the last N whole lines
  bool follow = false;              // -f: keep reading until still_running() is false
};

// Prints the log at `path` (in options.format) the way `podman logs` does: stdout records to
// out_fd, stderr records to err_fd, partial records joined into their line.
// With follow, waits for more records while still_running() returns true,
// and prints what was written before it turned false. A missing log file
// with a log driver of "none" is the caller's business; here it is ENOENT.
Status print_logs(const std::string& path, const LogsOptions& options, int out_fd, int err_fd,
                  const std::function<bool()>& still_running);

// For `logs -f`: whether the log of `container` (as read when the command
// began) may still grow. Its init runs, or its monitor is still copying the
// init's last output: the monitor writes the exit file only after that.
bool log_still_written(const StorePaths& paths, const ContainerRecord& container);

}  // namespace burrow::engine

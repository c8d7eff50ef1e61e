// The container log as burrow-monitor writes it: Podman's k8s-file format
// (engine/container_logs.h reads it back) or Docker's json-file format.
// Runs in the monitor process: fixed buffers, one write() per record, so a
// reader never sees half a record and the file never holds one either.
#pragma once

#include <limits.h>

#include <cstddef>
#include <cstdint>
#include <ctime>

namespace burrow::monitor {

enum class Stream : unsigned char { kStdout = 1, kStderr = 2 };
enum class LogDriver { kK8sFile, kJsonFile, kNone };

// The largest read from the container, and so the largest record text.
inline constexpr size_t kChunkSize = 8192;

// "2024-05-01T10:11:12.123456789+02:00": local time, nanoseconds, and a
// numeric offset even for UTC (Podman's reader expects one).
inline constexpr size_t kK8sTimeLength = 35;
size_t format_k8s_time(const timespec& time, char* out);

// "2024-05-01T08:11:12.123456789Z": UTC, as Docker writes it.
inline constexpr size_t kJsonTimeLength = 30;
size_t format_json_time(const timespec& time, char* out);

// Escapes `text` for the inside of a JSON string: quote, backslash and
// control characters; bytes that are not valid UTF-8 become U+FFFD, as in
// Docker's logs (Go's encoder does the same). `out` needs 6 * length bytes.
size_t json_escape(const char* text, size_t length, char* out);

class LogWriter {
 public:
  LogWriter() = default;
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;
  ~LogWriter() { close(); }

  // Opens (creating, 0600) and appends to `path`; nothing for kNone.
  // max_size > 0: when a record would take the file past it, the log starts
  // again empty first, as conmon's truncation does; but the empty file is a
  // new one renamed over `path`, so that `logs -f` reading the old one
  // finishes it and then switches, instead of reading the new records from
  // the old offset, mid-record. Returns 0 or an errno.
  int open(LogDriver driver, const char* path, uint64_t max_size);

  // Logs one read from the container: each complete line is a full record;
  // bytes after the last newline are a partial one, continued by the next
  // record of the same stream. All records of one read share its time.
  void write(Stream stream, const char* data, size_t length, const timespec& time);

  void close();

 private:
  void write_line(Stream stream, const char* text, size_t length, bool complete);
  size_t format_k8s(Stream stream, const char* text, size_t length, bool complete);
  size_t format_json(Stream stream, const char* text, size_t length, bool complete);
  void append_record(size_t length);
  void start_empty();
  bool replace_with_empty_file();

  int fd_ = -1;
  LogDriver driver_ = LogDriver::kNone;
  uint64_t max_size_ = 0;
  uint64_t size_ = 0;
  char path_[PATH_MAX] = {};  // empty when too long to keep: rotation truncates
  bool failing_ = false;      // reported once until a write succeeds again
  char time_[kK8sTimeLength + 1] = {};
  size_t time_length_ = 0;
  // The worst case is a json-file record of kChunkSize escaped bytes.
  char record_[6 * kChunkSize + 128];
};

}  // namespace burrow::monitor

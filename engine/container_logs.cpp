// The reader behind `burrow logs`, run in the CLI process: parses the
// k8s-file or json-file log the monitor writes and prints it the way
// `podman logs` does.
#include "engine/container_logs.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>
#include <vector>

#include "base/file_util.h"
#include "base/go_duration.h"
#include "base/unique_fd.h"
#include "engine/container_state.h"
#include "image/timestamps.h"

namespace burrow::engine {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr size_t kChunkBytes = 64 << 10;
// The monitor splits long output into P records far shorter than this; a
// longer line means a corrupted file, and refusing it bounds the memory used.
constexpr size_t kMaxLineBytes = 16 << 20;
// Following polls: a log is read by people, and 50 ms is below what they see.
constexpr auto kFollowPollInterval = std::chrono::milliseconds(50);

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Unix nanoseconds, or nothing past int64's range (the years 1677..2262).
std::optional<int64_t> unix_nanos(int64_t seconds, int64_t nanos) {
  int64_t result = 0;
  if (__builtin_mul_overflow(seconds, kNanosPerSecond, &result) ||
      __builtin_add_overflow(result, nanos, &result))
    return std::nullopt;
  return result;
}

std::optional<int64_t> rfc3339_nanos(std::string_view text) {
  auto time = image::parse_rfc3339(text);
  if (!time) return std::nullopt;
  return unix_nanos(time->seconds, time->nanos);
}

// "2006-01-02" and "2006-01-02T15:04:05[.frac]" name a wall-clock time
// without an offset: the local one, as for `date`. The fields are parsed as
// if in UTC by the one RFC 3339 parser, then handed to mktime() for the zone.
std::optional<int64_t> local_time_nanos(std::string_view text) {
  std::string as_utc(text);
  as_utc += text.size() == 10 ? "T00:00:00Z" : "Z";
  auto naive = image::parse_rfc3339(as_utc);
  if (!naive) return std::nullopt;
  time_t seconds = naive->seconds;
  struct tm fields = {};
  if (!gmtime_r(&seconds, &fields)) return std::nullopt;
  fields.tm_isdst = -1;  // whatever daylight saving time says on that date
  return unix_nanos(mktime(&fields), naive->nanos);
}

// Unix seconds with an optional fraction of up to nine digits.
std::optional<int64_t> unix_seconds_nanos(std::string_view text) {
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || !std::all_of(whole.begin(), whole.end(), is_digit)) return std::nullopt;
  if (dot != std::string_view::npos && (fraction.empty() || fraction.size() > 9 ||
                                        !std::all_of(fraction.begin(), fraction.end(), is_digit)))
    return std::nullopt;
  int64_t seconds = 0;
  for (char c : whole) {
    if (__builtin_mul_overflow(seconds, 10, &seconds) ||
        __builtin_add_overflow(seconds, c - '0', &seconds))
      return std::nullopt;
  }
  int64_t nanos = 0;
  for (size_t i = 0; i < 9; ++i) nanos = nanos * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  return unix_nanos(seconds, nanos);
}

// For error messages only: the 1-based number of the line that starts at
// `offset`. Reading backwards for --tail does not know it otherwise.
size_t line_number_at(int fd, off_t offset) {
  size_t line = 1;
  std::string chunk(kChunkBytes, '\0');
  for (off_t pos = 0; pos < offset;) {
    size_t want = std::min<off_t>(static_cast<off_t>(chunk.size()), offset - pos);
    ssize_t n = ::pread(fd, chunk.data(), want, pos);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    line += std::count(chunk.data(), chunk.data() + n, '\n');
    pos += n;
  }
  return line;
}

Result<LogRecord> parse_line(LogFormat format, std::string_view line) {
  return format == LogFormat::kJsonFile ? parse_json_log_line(line) : parse_k8s_log_line(line);
}

Result<LogRecord> parse_line_at(LogFormat format, std::string_view line, const std::string& path,
                                int fd, off_t offset) {
  auto record = parse_line(format, line);
  if (!record) {
    return tl::unexpected(record.error().with_context(
        fmt::format("log file {} line {}", path, line_number_at(fd, offset))));
  }
  return record;
}

// Applies --since, --until and -t, and joins P records into their line.
// Both descriptors share one buffer, flushed whenever the descriptor changes,
// so stdout and stderr lines keep their order when both go to one terminal.
class LogPrinter {
 public:
  LogPrinter(const LogsOptions& options, int out_fd, int err_fd)
      : options_(options), out_fd_(out_fd), err_fd_(err_fd) {}

  Status print(const LogRecord& record) {
    if (options_.since_ns && record.time_ns < *options_.since_ns) return base::ok();
    if (options_.until_ns && record.time_ns > *options_.until_ns) return base::ok();
    int fd = record.is_stderr ? err_fd_ : out_fd_;
    if (fd != buffered_fd_) {
      BURROW_CHECK(flush());
      buffered_fd_ = fd;
    }
    bool& mid_line = mid_line_[record.is_stderr ? 1 : 0];
    if (options_.timestamps && !mid_line) {
      buffer_ += record.time_text;
      buffer_ += ' ';
    }
    buffer_ += record.text;
    if (!record.partial) buffer_ += '\n';
    mid_line = record.partial;
    return buffer_.size() >= kChunkBytes ? flush() : base::ok();
  }

  Status flush() {
    if (buffer_.empty()) return base::ok();
    auto written = base::write_all(buffered_fd_, buffer_);
    buffer_.clear();
    if (!written) return tl::unexpected(written.error().with_context("printing the log"));
    return base::ok();
  }

 private:
  const LogsOptions& options_;
  int out_fd_;
  int err_fd_;
  int buffered_fd_ = -1;
  std::string buffer_;
  // A P record of the stream was printed last: the next record continues
  // its line and takes no timestamp.
  bool mid_line_[2] = {false, false};
};

// Keeps the records of the last `count` lines while walking the log from its
// end. Going backwards a line ends at an F record, or at the last record of
// a stream whose final line is unterminated (P records with no F after them),
// and takes the P records of its stream before it, up to that stream's
// previous F record.
class TailSelector {
 public:
  explicit TailSelector(size_t count) : remaining_(count) {}

  void take(LogRecord record) {
    int stream = record.is_stderr ? 1 : 0;
    if (!record.partial || !seen_[stream]) {
      collecting_[stream] = remaining_ > 0;
      if (remaining_ > 0) --remaining_;
    }
    seen_[stream] = true;
    if (collecting_[stream]) kept_.push_back(std::move(record));
  }

  bool done() const { return remaining_ == 0 && !collecting_[0] && !collecting_[1]; }

  std::vector<LogRecord> records_in_file_order() && {
    std::reverse(kept_.begin(), kept_.end());
    return std::move(kept_);
  }

 private:
  size_t remaining_;
  bool seen_[2] = {false, false};
  bool collecting_[2] = {false, false};
  std::vector<LogRecord> kept_;
};

struct Tail {
  std::vector<LogRecord> records;  // in file order
  off_t resume_offset = 0;         // where the last complete line ends
};

// Reads the log backwards in chunks, so `logs --tail` of a large file reads
// little more than it prints. An unterminated last line is left for the
// forward reader, which starts at resume_offset.
Result<Tail> read_tail(LogFormat format, int fd, const std::string& path, size_t count) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return base::fail_errno("stat {}", path);
  off_t pos = st.st_size;
  std::string pending;  // the bytes [pos, pos + pending.size()) not yet parsed
  auto read_chunk = [&]() -> Status {
    if (pending.size() > kMaxLineBytes) {
      return base::failf(EFBIG, "log file {}: a line longer than {} bytes", path, kMaxLineBytes);
    }
    off_t start = std::max<off_t>(0, pos - static_cast<off_t>(kChunkBytes));
    std::string chunk(static_cast<size_t>(pos - start), '\0');
    for (size_t done = 0; done < chunk.size();) {
      ssize_t n = ::pread(fd, chunk.data() + done, chunk.size() - done, start + done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return base::fail_errno("reading {}", path);
      if (n == 0) return base::failf(EIO, "reading {}: the file shrank while being read", path);
      done += static_cast<size_t>(n);
    }
    pending.insert(0, chunk);
    pos = start;
    return base::ok();
  };

  Tail tail;
  size_t last_newline;
  while ((last_newline = pending.rfind('\n')) == std::string::npos && pos > 0) {
    BURROW_CHECK(read_chunk());
  }
  if (last_newline == std::string::npos) return tail;  // not one complete line yet
  pending.resize(last_newline + 1);
  tail.resume_offset = pos + static_cast<off_t>(pending.size());

  TailSelector selector(count);
  while (!selector.done() && !pending.empty()) {
    // `pending` ends with the newline of the line to parse next.
    size_t previous =
        pending.size() >= 2 ? pending.rfind('\n', pending.size() - 2) : std::string::npos;
    if (previous == std::string::npos && pos > 0) {
      BURROW_CHECK(read_chunk());
      continue;
    }
    size_t start = previous == std::string::npos ? 0 : previous + 1;
    std::string_view line(pending.data() + start, pending.size() - 1 - start);
    BURROW_TRY(LogRecord record,
               parse_line_at(format, line, path, fd, pos + static_cast<off_t>(start)));
    selector.take(std::move(record));
    pending.resize(start);
  }
  tail.records = std::move(selector).records_in_file_order();
  return tail;
}

// Reads the log forwards from an offset and prints each complete line. An
// unterminated last line is a record the monitor is writing right now: it is
// kept until its newline arrives, never an error.
class LogFollower {
 public:
  LogFollower(LogFormat format, std::string path, base::UniqueFd fd, off_t offset)
      : format_(format), path_(std::move(path)), fd_(std::move(fd)), offset_(offset) {}

  // Prints everything up to the current end of the file. A file shorter than
  // what was read has been truncated by rotation: its new content is read
  // from the beginning.
  Status drain(LogPrinter& printer) {
    struct stat st;
    if (::fstat(fd_.get(), &st) != 0) return base::fail_errno("stat {}", path_);
    if (st.st_size < offset_) {
      offset_ = 0;
      pending_.clear();
    }
    std::string chunk(kChunkBytes, '\0');
    for (;;) {
      ssize_t n = ::pread(fd_.get(), chunk.data(), chunk.size(), offset_);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return base::fail_errno("reading {}", path_);
      if (n == 0) return base::ok();
      offset_ += n;
      pending_.append(chunk.data(), static_cast<size_t>(n));
      BURROW_CHECK(print_complete_lines(printer));
    }
  }

  // Whether `path` now names another file than the one open: a log rotated
  // by renaming a fresh file over it.
  bool replaced() const {
    struct stat open_file, named;
    if (::fstat(fd_.get(), &open_file) != 0 || ::stat(path_.c_str(), &named) != 0) return false;
    return open_file.st_dev != named.st_dev || open_file.st_ino != named.st_ino;
  }

  // Switches to the file `path` names now, from its beginning; an
  // unterminated last line of the old file will never be completed. A file
  // removed meanwhile (the container with it) leaves the old one open.
  Status reopen() {
    base::UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd && errno == ENOENT) return base::ok();
    if (!fd) return base::fail_errno("opening log file {}", path_);
    fd_ = std::move(fd);
    offset_ = 0;
    pending_.clear();
    return base::ok();
  }

 private:
  Status print_complete_lines(LogPrinter& printer) {
    off_t pending_offset = offset_ - static_cast<off_t>(pending_.size());
    size_t start = 0;
    for (size_t end; (end = pending_.find('\n', start)) != std::string::npos; start = end + 1) {
      std::string_view line(pending_.data() + start, end - start);
      BURROW_TRY(LogRecord record, parse_line_at(format_, line, path_, fd_.get(),
                                                 pending_offset + static_cast<off_t>(start)));
      BURROW_CHECK(printer.print(record));
    }
    pending_.erase(0, start);
    if (pending_.size() > kMaxLineBytes) {
      return base::failf(EFBIG, "log file {} line {}: longer than {} bytes", path_,
                         line_number_at(fd_.get(), offset_ - static_cast<off_t>(pending_.size())),
                         kMaxLineBytes);
    }
    return base::ok();
  }

  LogFormat format_;
  std::string path_;
  base::UniqueFd fd_;
  off_t offset_;         // the first byte not yet read
  std::string pending_;  // read but without its newline yet
};

}  // namespace

Result<LogRecord> parse_k8s_log_line(std::string_view line) {
  size_t time_end = line.find(' ');
  if (time_end == std::string_view::npos) {
    return base::fail(EINVAL, "missing the stream, flag and text after the time");
  }
  size_t stream_end = line.find(' ', time_end + 1);
  if (stream_end == std::string_view::npos) {
    return base::fail(EINVAL, "missing the flag and text after the stream");
  }
  // The text may be empty, but the space before it is always written.
  size_t flag_end = line.find(' ', stream_end + 1);
  if (flag_end == std::string_view::npos)
    return base::fail(EINVAL, "missing the text after the flag");

  LogRecord record;
  record.time_text = line.substr(0, time_end);
  auto time = image::parse_rfc3339(record.time_text);
  if (!time) return tl::unexpected(time.error());
  auto nanos = unix_nanos(time->seconds, time->nanos);
  if (!nanos) return base::failf(ERANGE, "time \"{}\" is out of range", record.time_text);
  record.time_ns = *nanos;

  std::string_view stream = line.substr(time_end + 1, stream_end - time_end - 1);
  if (stream != "stdout" && stream != "stderr") {
    return base::failf(EINVAL, "unknown stream \"{}\" (expected stdout or stderr)", stream);
  }
  record.is_stderr = stream == "stderr";

  std::string_view flag = line.substr(stream_end + 1, flag_end - stream_end - 1);
  if (flag != "F" && flag != "P") {
    return base::failf(EINVAL, "unknown flag \"{}\" (expected F or P)", flag);
  }
  record.partial = flag == "P";
  record.text = line.substr(flag_end + 1);
  return record;
}

Result<LogRecord> parse_json_log_line(std::string_view line) {
  // Parsed without exceptions: a damaged line is an error value here.
  auto json = nlohmann::json::parse(line, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return base::fail(EINVAL, "not a JSON object");
  auto string_field = [&](const char* name) -> Result<std::string> {
    auto field = json.find(name);
    if (field == json.end() || !field->is_string())
      return base::failf(EINVAL, "missing the string field \"{}\"", name);
    return field->get<std::string>();
  };
  LogRecord record;
  BURROW_TRY(std::string stream, string_field("stream"));
  if (stream != "stdout" && stream != "stderr") {
    return base::failf(EINVAL, "unknown stream \"{}\" (expected stdout or stderr)", stream);
  }
  record.is_stderr = stream == "stderr";
  BURROW_TRY(record.time_text, string_field("time"));
  auto time = image::parse_rfc3339(record.time_text);
  if (!time) return tl::unexpected(time.error());
  auto nanos = unix_nanos(time->seconds, time->nanos);
  if (!nanos) return base::failf(ERANGE, "time \"{}\" is out of range", record.time_text);
  record.time_ns = *nanos;
  // Docker keeps the newline in "log"; a text without one is the start of
  // a line the next record of the stream continues.
  BURROW_TRY(record.text, string_field("log"));
  record.partial = record.text.empty() || record.text.back() != '\n';
  if (!record.partial) record.text.pop_back();
  return record;
}

std::optional<LogFormat> log_format_of_driver(std::string_view driver) {
  if (driver == "none") return std::nullopt;
  return driver == "json-file" ? LogFormat::kJsonFile : LogFormat::kK8sFile;
}

Result<int64_t> parse_log_time(std::string_view text, int64_t now_ns) {
  if (auto nanos = rfc3339_nanos(text)) return *nanos;
  if (auto nanos = local_time_nanos(text)) return *nanos;
  if (auto nanos = unix_seconds_nanos(text)) return *nanos;
  if (auto duration = base::parse_go_duration(text)) {
    int64_t nanos = 0;
    if (!__builtin_sub_overflow(now_ns, *duration, &nanos)) return nanos;
  }
  return base::failf(EINVAL,
                     "invalid time \"{}\": expected an RFC 3339 time (2006-01-02T15:04:05Z07:00), "
                     "a date (2006-01-02), Unix seconds (1714558272.5) or a duration before now "
                     "(10m, 1h30m, 2.5s)",
                     text);
}

Status print_logs(const std::string& path, const LogsOptions& options, int out_fd, int err_fd,
                  const std::function<bool()>& still_running) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return base::fail_errno("opening log file {}", path);
  LogPrinter printer(options, out_fd, err_fd);
  off_t start = 0;
  if (options.tail) {
    BURROW_TRY(Tail tail, read_tail(options.format, fd.get(), path, *options.tail));
    for (const LogRecord& record : tail.records) BURROW_CHECK(printer.print(record));
    start = tail.resume_offset;
  }
  LogFollower follower(options.format, path, std::move(fd), start);
  if (!options.follow) {
    BURROW_CHECK(follower.drain(printer));
    return printer.flush();
  }
  for (;;) {
    // Asked before reading, so that everything written before the container
    // stopped is printed before returning.
    bool running = still_running && still_running();
    bool rotated = follower.replaced();
    BURROW_CHECK(follower.drain(printer));  // the old file to its end
    if (rotated) {
      BURROW_CHECK(follower.reopen());
      BURROW_CHECK(follower.drain(printer));
    }
    BURROW_CHECK(printer.flush());
    if (!running) return base::ok();
    std::this_thread::sleep_for(kFollowPollInterval);
  }
}

bool log_still_written(const StorePaths& paths, const ContainerRecord& container) {
  if (!is_active(container.state)) return false;
  if (init_alive(container)) return true;
  if (read_exit_file(paths, container.id)) return false;
  return container.monitor_pid && *container.monitor_pid > 0 &&
         ::kill(static_cast<pid_t>(*container.monitor_pid), 0) == 0;
}

}  // namespace burrow::engine

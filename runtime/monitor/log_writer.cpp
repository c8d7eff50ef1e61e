// Runs in burrow-monitor (see log_writer.h).
#include "runtime/monitor/log_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/monitor/fd_util.h"

namespace burrow::monitor {

namespace {

// Writes `value` as exactly `width` decimal digits.
char* put_digits(char* out, long value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

// "YYYY-MM-DDTHH:MM:SS.nnnnnnnnn"; 29 characters.
char* put_date_time(char* out, const tm& fields, long nanoseconds) {
  out = put_digits(out, fields.tm_year + 1900L, 4);
  *out++ = '-';
  out = put_digits(out, fields.tm_mon + 1, 2);
  *out++ = '-';
  out = put_digits(out, fields.tm_mday, 2);
  *out++ = 'T';
  out = put_digits(out, fields.tm_hour, 2);
  *out++ = ':';
  out = put_digits(out, fields.tm_min, 2);
  *out++ = ':';
  out = put_digits(out, fields.tm_sec, 2);
  *out++ = '.';
  return put_digits(out, nanoseconds, 9);
}

char* put(char* out, const char* text) {
  size_t length = std::strlen(text);
  std::memcpy(out, text, length);
  return out + length;
}

// The new, empty log is made under this name beside the log, then renamed.
constexpr char kRotateSuffix[] = ".rotate";

const char* stream_name(Stream stream) { return stream == Stream::kStderr ? "stderr" : "stdout"; }

// Length of the valid UTF-8 sequence at text[0..length), or 0 when invalid
// (overlong forms, surrogates and values past U+10FFFF included).
size_t utf8_sequence_length(const unsigned char* text, size_t length) {
  unsigned char lead = text[0];
  size_t needed = 0;
  unsigned char min = 0x80;
  unsigned char max = 0xBF;  // bounds of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    needed = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    needed = 3;
    if (lead == 0xE0) min = 0xA0;
    if (lead == 0xED) max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    needed = 4;
    if (lead == 0xF0) min = 0x90;
    if (lead == 0xF4) max = 0x8F;
  } else {
    return 0;
  }
  if (length < needed || text[1] < min || text[1] > max) return 0;
  for (size_t i = 2; i < needed; ++i) {
    if (text[i] < 0x80 || text[i] > 0xBF) return 0;
  }
  return needed;
}

}  // namespace

size_t format_k8s_time(const timespec& time, char* out) {
  tm fields{};
  ::localtime_r(&time.tv_sec, &fields);
  char* end = put_date_time(out, fields, time.tv_nsec);
  long offset_minutes = fields.tm_gmtoff / 60;
  *end++ = offset_minutes < 0 ? '-' : '+';
  if (offset_minutes < 0) offset_minutes = -offset_minutes;
  end = put_digits(end, offset_minutes / 60 % 100, 2);
  *end++ = ':';
  end = put_digits(end, offset_minutes % 60, 2);
  *end = '\0';
  return static_cast<size_t>(end - out);
}

size_t format_json_time(const timespec& time, char* out) {
  tm fields{};
  ::gmtime_r(&time.tv_sec, &fields);
  char* end = put_date_time(out, fields, time.tv_nsec);
  *end++ = 'Z';
  *end = '\0';
  return static_cast<size_t>(end - out);
}

size_t json_escape(const char* text, size_t length, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto* bytes = reinterpret_cast<const unsigned char*>(text);
  char* end = out;
  size_t i = 0;
  while (i < length) {
    unsigned char c = bytes[i];
    if (c >= 0x80) {
      size_t sequence = utf8_sequence_length(bytes + i, length - i);
      if (sequence == 0) {
        end = put(end, "\\ufffd");
        ++i;
      } else {
        std::memcpy(end, bytes + i, sequence);
        end += sequence;
        i += sequence;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        end = put(end, "\\\"");
        break;
      case '\\':
        end = put(end, "\\\\");
        break;
      case '\n':
        end = put(end, "\\n");
        break;
      case '\r':
        end = put(end, "\\r");
        break;
      case '\t':
        end = put(end, "\\t");
        break;
      case '\b':
        end = put(end, "\\b");
        break;
      case '\f':
        end = put(end, "\\f");
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          end = put(end, "\\u00");
          *end++ = kHex[c >> 4];
          *end++ = kHex[c & 0xf];
        } else {
          *end++ = static_cast<char>(c);
        }
    }
  }
  return static_cast<size_t>(end - out);
}

int LogWriter::open(LogDriver driver, const char* path, uint64_t max_size) {
  close();
  driver_ = driver;
  max_size_ = max_size;
  if (driver == LogDriver::kNone) return 0;
  size_t path_length = std::strlen(path);
  path_[0] = '\0';
  if (path_length + sizeof kRotateSuffix <= sizeof path_) std::memcpy(path_, path, path_length + 1);
  fd_ = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd_ < 0) return errno;
  struct stat info {};
  if (::fstat(fd_, &info) < 0) {
    int error = errno;
    close();
    return error;
  }
  size_ = static_cast<uint64_t>(info.st_size);
  return 0;
}

void LogWriter::write(Stream stream, const char* data, size_t length, const timespec& time) {
  if (fd_ < 0 || length == 0) return;
  time_length_ =
      driver_ == LogDriver::kK8sFile ? format_k8s_time(time, time_) : format_json_time(time, time_);
  const char* end = data + length;
  while (data < end) {
    auto* newline = static_cast<const char*>(std::memchr(data, '\n', end - data));
    if (newline == nullptr) {
      write_line(stream, data, static_cast<size_t>(end - data), false);
      break;
    }
    write_line(stream, data, static_cast<size_t>(newline - data), true);
    data = newline + 1;
  }
}

void LogWriter::write_line(Stream stream, const char* text, size_t length, bool complete) {
  size_t record = driver_ == LogDriver::kK8sFile ? format_k8s(stream, text, length, complete)
                                                 : format_json(stream, text, length, complete);
  append_record(record);
}

// <time> <stream> <F|P> <text without its newline>\n
size_t LogWriter::format_k8s(Stream stream, const char* text, size_t length, bool complete) {
  char* end = record_;
  std::memcpy(end, time_, time_length_);
  end += time_length_;
  *end++ = ' ';
  end = put(end, stream_name(stream));
  end = put(end, complete ? " F " : " P ");
  std::memcpy(end, text, length);
  end += length;
  *end++ = '\n';
  return static_cast<size_t>(end - record_);
}

// {"log":"<text, with its newline when complete>","stream":"...","time":"..."}\n
size_t LogWriter::format_json(Stream stream, const char* text, size_t length, bool complete) {
  char* end = put(record_, "{\"log\":\"");
  end += json_escape(text, length, end);
  if (complete) end = put(end, "\\n");
  end = put(end, "\",\"stream\":\"");
  end = put(end, stream_name(stream));
  end = put(end, "\",\"time\":\"");
  std::memcpy(end, time_, time_length_);
  end += time_length_;
  end = put(end, "\"}\n");
  return static_cast<size_t>(end - record_);
}

void LogWriter::append_record(size_t length) {
  if (max_size_ > 0 && size_ > 0 && size_ + length > max_size_) start_empty();
  ssize_t written;
  do {
    written = ::write(fd_, record_, length);
  } while (written < 0 && errno == EINTR);
  if (written < 0) {
    if (!failing_) report("writing the log: %s", std::strerror(errno));
    failing_ = true;
    return;
  }
  failing_ = false;
  size_ += static_cast<uint64_t>(written);
}

void LogWriter::start_empty() {
  if (replace_with_empty_file()) return;
  // O_APPEND makes the next write land at the new end, offset zero.
  if (::ftruncate(fd_, 0) == 0) {
    size_ = 0;
  } else {
    report("truncating the log: %s", std::strerror(errno));
  }
}

bool LogWriter::replace_with_empty_file() {
  if (path_[0] == '\0') return false;
  char fresh_path[sizeof path_];
  std::memcpy(fresh_path, path_, std::strlen(path_));
  std::memcpy(fresh_path + std::strlen(path_), kRotateSuffix, sizeof kRotateSuffix);
  int fresh =
      ::open(fresh_path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0600);
  if (fresh < 0) return false;
  if (::rename(fresh_path, path_) != 0) {
    ::unlink(fresh_path);
    close_fd(&fresh);
    return false;
  }
  close_fd(&fd_);
  fd_ = fresh;
  size_ = 0;
  return true;
}

void LogWriter::close() { close_fd(&fd_); }

}  // namespace burrow::monitor

#include "runtime/monitor/log_writer.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace burrow::monitor {
namespace {

// Sets TZ for one test and restores it afterwards.
class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* zone) {
    if (const char* old = std::getenv("TZ")) saved_ = old, had_ = true;
    ::setenv("TZ", zone, 1);
    ::tzset();
  }
  ~ScopedTimeZone() {
    if (had_) {
      ::setenv("TZ", saved_.c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  std::string saved_;
  bool had_ = false;
};

class TempFile {
 public:
  TempFile() {
    char pattern[] = "/tmp/burrow-log-test-XXXXXX";
    int fd = ::mkstemp(pattern);
    ::close(fd);
    ::unlink(pattern);
    path_ = pattern;
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }
  std::string read() const {
    std::ifstream in(path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::string path_;
};

// 2024-05-01T08:11:12.000000005Z
constexpr timespec kTime = {1714551072, 5};

TEST(LogTimeTest, K8sTimeUsesLocalTimeWithColonOffset) {
  char text[kK8sTimeLength + 1];
  {
    ScopedTimeZone zone("UTC0");
    EXPECT_EQ(format_k8s_time(kTime, text), kK8sTimeLength);
    EXPECT_STREQ(text, "2024-05-01T08:11:12.000000005+00:00");
  }
  {
    ScopedTimeZone zone("<+0530>-5:30");
    format_k8s_time(kTime, text);
    EXPECT_STREQ(text, "2024-05-01T13:41:12.000000005+05:30");
  }
  {
    ScopedTimeZone zone("<-0330>3:30");
    format_k8s_time(kTime, text);
    EXPECT_STREQ(text, "2024-05-01T04:41:12.000000005-03:30");
  }
}

TEST(LogTimeTest, JsonTimeIsUtcWithZ) {
  ScopedTimeZone zone("<+0530>-5:30");
  char text[kJsonTimeLength + 1];
  EXPECT_EQ(format_json_time({1714551072, 123456789}, text), kJsonTimeLength);
  EXPECT_STREQ(text, "2024-05-01T08:11:12.123456789Z");
}

std::string escape(const std::string& text) {
  std::string out(6 * text.size(), '\0');
  out.resize(json_escape(text.data(), text.size(), out.data()));
  return out;
}

TEST(JsonEscapeTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(escape("plain text"), "plain text");
  EXPECT_EQ(escape("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(escape("\n\r\t\b\f"), "\\n\\r\\t\\b\\f");
  EXPECT_EQ(escape(std::string("\x01\x1f\x7f", 3)), "\\u0001\\u001f\\u007f");
  EXPECT_EQ(escape(std::string("\0", 1)), "\\u0000");
}

TEST(JsonEscapeTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(escape("\xff"), "\\ufffd");
  EXPECT_EQ(escape("\xc3"), "\\ufffd");                        // cut short
  EXPECT_EQ(escape("\xc0\xaf"), "\\ufffd\\ufffd");             // overlong
  EXPECT_EQ(escape("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd");  // surrogate
  // The worst case fits the documented 6 bytes per input byte.
  EXPECT_EQ(escape(std::string(100, '\x01')).size(), 600u);
}

TEST(LogWriterTest, K8sFileSplitsLinesIntoFullAndPartialRecords) {
  ScopedTimeZone zone("UTC0");
  TempFile file;
  LogWriter log;
  ASSERT_EQ(log.open(LogDriver::kK8sFile, file.path().c_str(), 0), 0);
  log.write(Stream::kStdout, "one\ntw", 6, kTime);
  log.write(Stream::kStderr, "err\n", 4, kTime);
  log.write(Stream::kStdout, "o\n\n", 3, kTime);
  log.close();
  const std::string t = "2024-05-01T08:11:12.000000005+00:00";
  EXPECT_EQ(file.read(), t + " stdout F one\n" + t + " stdout P tw\n" + t + " stderr F err\n" + t +
                             " stdout F o\n" + t + " stdout F \n");
  struct stat info {};
  ASSERT_EQ(::stat(file.path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(LogWriterTest, JsonFileKeepsNewlinesInTheText) {
  TempFile file;
  LogWriter log;
  ASSERT_EQ(log.open(LogDriver::kJsonFile, file.path().c_str(), 0), 0);
  log.write(Stream::kStdout, "a\"b\ntw", 6, kTime);
  log.write(Stream::kStderr, "e\te\n", 4, kTime);
  log.close();
  const std::string t = "2024-05-01T08:11:12.000000005Z";
  EXPECT_EQ(file.read(), "{\"log\":\"a\\\"b\\n\",\"stream\":\"stdout\",\"time\":\"" + t +
                             "\"}\n"
                             "{\"log\":\"tw\",\"stream\":\"stdout\",\"time\":\"" +
                             t +
                             "\"}\n"
                             "{\"log\":\"e\\te\\n\",\"stream\":\"stderr\",\"time\":\"" +
                             t + "\"}\n");
}

TEST(LogWriterTest, AppendsToAnExistingLog) {
  TempFile file;
  { std::ofstream(file.path()) << "earlier\n"; }
  LogWriter log;
  ASSERT_EQ(log.open(LogDriver::kJsonFile, file.path().c_str(), 0), 0);
  log.write(Stream::kStdout, "x", 1, kTime);
  log.close();
  EXPECT_EQ(file.read().rfind("earlier\n{\"log\":\"x\"", 0), 0u);
}

TEST(LogWriterTest, MaxSizeTruncatesBeforeARecordThatWouldNotFit) {
  ScopedTimeZone zone("UTC0");
  TempFile file;
  LogWriter log;
  // Each record is 35 + " stdout F " + 2 + "\n" = 48 bytes; three fit in 150.
  ASSERT_EQ(log.open(LogDriver::kK8sFile, file.path().c_str(), 150), 0);
  log.write(Stream::kStdout, "l1\nl2\nl3\n", 9, kTime);
  EXPECT_EQ(file.read().size(), 144u);
  log.write(Stream::kStdout, "l4\n", 3, kTime);
  log.close();
  EXPECT_EQ(file.read(), "2024-05-01T08:11:12.000000005+00:00 stdout F l4\n");
}

TEST(LogWriterTest, MaxSizeStartsANewFileAndLeavesTheOldOneWhole) {
  ScopedTimeZone zone("UTC0");
  TempFile file;
  LogWriter log;
  ASSERT_EQ(log.open(LogDriver::kJsonFile, file.path().c_str(), 200), 0);
  log.write(Stream::kStdout, "first\nsecond\n", 13, kTime);
  // A reader of the log before the rotation, as `logs -f` is.
  std::ifstream before(file.path());
  struct stat old_info {};
  ASSERT_EQ(::stat(file.path().c_str(), &old_info), 0);
  log.write(Stream::kStderr, "third\n", 6, kTime);
  log.close();
  const std::string t = "2024-05-01T08:11:12.000000005Z";
  EXPECT_EQ(file.read(), "{\"log\":\"third\\n\",\"stream\":\"stderr\",\"time\":\"" + t + "\"}\n");
  struct stat new_info {};
  ASSERT_EQ(::stat(file.path().c_str(), &new_info), 0);
  EXPECT_NE(new_info.st_ino, old_info.st_ino);
  EXPECT_EQ(new_info.st_mode & 0777, 0600u);
  std::stringstream old_text;
  old_text << before.rdbuf();
  EXPECT_EQ(old_text.str(), "{\"log\":\"first\\n\",\"stream\":\"stdout\",\"time\":\"" + t +
                                "\"}\n{\"log\":\"second\\n\",\"stream\":\"stdout\",\"time\":\"" +
                                t + "\"}\n");
  EXPECT_NE(::access((file.path() + ".rotate").c_str(), F_OK), 0);
}

TEST(LogWriterTest, ARecordLargerThanMaxSizeIsWrittenWhole) {
  TempFile file;
  LogWriter log;
  ASSERT_EQ(log.open(LogDriver::kK8sFile, file.path().c_str(), 10), 0);
  log.write(Stream::kStdout, "a longer line\n", 14, kTime);
  log.write(Stream::kStdout, "next\n", 5, kTime);
  log.close();
  std::string text = file.read();
  EXPECT_EQ(text.find("a longer line"), std::string::npos);
  EXPECT_NE(text.find(" stdout F next\n"), std::string::npos) << text;
}

TEST(LogWriterTest, NoneWritesNothing) {
  TempFile file;
  LogWriter log;
  ASSERT_EQ(log.open(LogDriver::kNone, file.path().c_str(), 0), 0);
  log.write(Stream::kStdout, "x\n", 2, kTime);
  log.close();
  EXPECT_NE(::access(file.path().c_str(), F_OK), 0);
}

TEST(LogWriterTest, OpenReportsTheErrno) {
  LogWriter log;
  EXPECT_EQ(log.open(LogDriver::kK8sFile, "/nonexistent-dir/x.log", 0), ENOENT);
}

}  // namespace
}  // namespace burrow::monitor

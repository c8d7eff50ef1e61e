#include "engine/container_logs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "base/file_util.h"
#include "base/unique_fd.h"

namespace burrow::engine {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kMay1 = 1714521600;  // 2024-05-01T00:00:00Z in Unix seconds

// 2024-05-01T10:00:<second>.000000001+02:00, that is 08:00 UTC.
std::string time_text(int second) {
  return fmt::format("2024-05-01T10:00:{:02}.000000001+02:00", second);
}

std::string record(int second, std::string_view stream, char flag, std::string_view text) {
  return fmt::format("{} {} {} {}\n", time_text(second), stream, flag, text);
}

// The json-file form of record(): the same instant, in UTC as Docker writes
// it; `log` is the text with its newline when the line is complete.
std::string json_record(int second, std::string_view stream, std::string_view log) {
  return fmt::format(
      "{{\"log\":\"{}\",\"stream\":\"{}\",\"time\":\"2024-05-01T08:00:{:02}.000000001Z\"}}\n", log,
      stream, second);
}

int64_t record_time(int second) { return (kMay1 + 8 * 3600 + second) * kSecond + 1; }

// ---- parse_k8s_log_line

TEST(ParseK8sLogLine, FullStdoutRecord) {
  auto parsed = parse_k8s_log_line("2024-05-01T10:11:12.123456789+02:00 stdout F hello");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->time_ns, (kMay1 + 8 * 3600 + 11 * 60 + 12) * kSecond + 123456789);
  EXPECT_EQ(parsed->time_text, "2024-05-01T10:11:12.123456789+02:00");
  EXPECT_FALSE(parsed->is_stderr);
  EXPECT_FALSE(parsed->partial);
  EXPECT_EQ(parsed->text, "hello");
}

TEST(ParseK8sLogLine, PartialStderrRecordWithZ) {
  auto parsed = parse_k8s_log_line("2024-05-01T00:00:01Z stderr P oops");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->time_ns, (kMay1 + 1) * kSecond);
  EXPECT_TRUE(parsed->is_stderr);
  EXPECT_TRUE(parsed->partial);
  EXPECT_EQ(parsed->text, "oops");
}

TEST(ParseK8sLogLine, EmptyText) {
  auto parsed = parse_k8s_log_line("2024-05-01T00:00:01Z stdout F ");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->text, "");
}

TEST(ParseK8sLogLine, TextKeepsEverySpace) {
  auto parsed = parse_k8s_log_line("2024-05-01T00:00:01Z stdout F  a  b stdout F ");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->text, " a  b stdout F ");
}

TEST(ParseK8sLogLine, MalformedLinesSayWhatIsWrong) {
  struct Case {
    const char* line;
    const char* message;
  };
  const Case cases[] = {
      {"", "missing the stream"},
      {"2024-05-01T00:00:01Z", "missing the stream"},
      {"2024-05-01T00:00:01Z stdout", "missing the flag"},
      {"2024-05-01T00:00:01Z stdout F", "missing the text"},
      {"2024-05-01T00:00:01Z stdin F x", "unknown stream \"stdin\""},
      {"2024-05-01T00:00:01Z  F x", "unknown stream \"\""},
      {"2024-05-01T00:00:01Z stdout X x", "unknown flag \"X\""},
      {"2024-05-01T00:00:01Z stdout FP x", "unknown flag \"FP\""},
      {"yesterday stdout F x", "invalid RFC 3339"},
      {"2024-05-01T00:00:01 stdout F x", "invalid RFC 3339"},  // no offset
      {"2024-13-01T00:00:01Z stdout F x", "invalid RFC 3339"},
      {"9999-01-01T00:00:00Z stdout F x", "out of range"},  // past int64 nanoseconds
  };
  for (const Case& c : cases) {
    auto parsed = parse_k8s_log_line(c.line);
    ASSERT_FALSE(parsed) << c.line;
    EXPECT_EQ(parsed.error().code, c.message == std::string("out of range") ? ERANGE : EINVAL);
    EXPECT_NE(parsed.error().message.find(c.message), std::string::npos)
        << c.line << " -> " << parsed.error().message;
  }
}

// ---- parse_json_log_line

TEST(ParseJsonLogLine, CompleteLineDropsItsNewline) {
  auto parsed = parse_json_log_line(
      R"({"log":"hello \"you\"\n","stream":"stdout","time":"2024-05-01T08:11:12.123456789Z"})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->time_ns, (kMay1 + 8 * 3600 + 11 * 60 + 12) * kSecond + 123456789);
  EXPECT_EQ(parsed->time_text, "2024-05-01T08:11:12.123456789Z");
  EXPECT_FALSE(parsed->is_stderr);
  EXPECT_FALSE(parsed->partial);
  EXPECT_EQ(parsed->text, "hello \"you\"");
}

TEST(ParseJsonLogLine, TextWithoutNewlineIsPartial) {
  auto parsed = parse_json_log_line(
      R"({"stream":"stderr","time":"2024-05-01T00:00:01Z","log":"a\tb\u00e9"})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(parsed->is_stderr);
  EXPECT_TRUE(parsed->partial);
  EXPECT_EQ(parsed->text, "a\tb\xc3\xa9");
  EXPECT_EQ(parsed->time_ns, (kMay1 + 1) * kSecond);
}

TEST(ParseJsonLogLine, EmptyLineIsComplete) {
  auto parsed =
      parse_json_log_line(R"({"log":"\n","stream":"stdout","time":"2024-05-01T00:00:01Z"})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_FALSE(parsed->partial);
  EXPECT_EQ(parsed->text, "");
}

TEST(ParseJsonLogLine, MalformedLinesSayWhatIsWrong) {
  struct Case {
    const char* line;
    const char* message;
  };
  const Case cases[] = {
      {"", "not a JSON object"},
      {"2024-05-01T00:00:01Z stdout F x", "not a JSON object"},
      {R"(["log","stream"])", "not a JSON object"},
      {R"({"log":"x\n","stream":"stdout","time":"2024-05-01T00:00:01Z")", "not a JSON object"},
      {R"({"stream":"stdout","time":"2024-05-01T00:00:01Z"})", "\"log\""},
      {R"({"log":5,"stream":"stdout","time":"2024-05-01T00:00:01Z"})", "\"log\""},
      {R"({"log":"x\n","time":"2024-05-01T00:00:01Z"})", "\"stream\""},
      {R"({"log":"x\n","stream":"stdin","time":"2024-05-01T00:00:01Z"})",
       "unknown stream \"stdin\""},
      {R"({"log":"x\n","stream":"stdout"})", "\"time\""},
      {R"({"log":"x\n","stream":"stdout","time":"yesterday"})", "invalid RFC 3339"},
      {R"({"log":"x\n","stream":"stdout","time":"9999-01-01T00:00:00Z"})", "out of range"},
  };
  for (const Case& c : cases) {
    auto parsed = parse_json_log_line(c.line);
    ASSERT_FALSE(parsed) << c.line;
    EXPECT_EQ(parsed.error().code, c.message == std::string("out of range") ? ERANGE : EINVAL);
    EXPECT_NE(parsed.error().message.find(c.message), std::string::npos)
        << c.line << " -> " << parsed.error().message;
  }
}

TEST(LogFormatOfDriver, NoneHasNoLog) {
  EXPECT_EQ(log_format_of_driver("k8s-file"), LogFormat::kK8sFile);
  EXPECT_EQ(log_format_of_driver("json-file"), LogFormat::kJsonFile);
  EXPECT_EQ(log_format_of_driver("none"), std::nullopt);
}

// ---- parse_log_time

// Sets TZ for one test; "EST5" is a POSIX zone five hours west of UTC
// without daylight saving time, so no time-zone database is needed.
class LocalZone {
 public:
  explicit LocalZone(const char* zone) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    ::setenv("TZ", zone, 1);
    ::tzset();
  }
  ~LocalZone() {
    if (old_) {
      ::setenv("TZ", old_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  std::optional<std::string> old_;
};

constexpr int64_t kNow = (kMay1 + 12 * 3600) * kSecond;

int64_t parsed_time(std::string_view text) {
  auto parsed = parse_log_time(text, kNow);
  EXPECT_TRUE(parsed) << text << ": " << parsed.error().message;
  return parsed.value_or(-1);
}

TEST(ParseLogTime, Rfc3339) {
  EXPECT_EQ(parsed_time("2024-05-01T10:11:12Z"), (kMay1 + 36672) * kSecond);
  EXPECT_EQ(parsed_time("2024-05-01T10:11:12.5+02:00"),
            (kMay1 + 36672 - 7200) * kSecond + kSecond / 2);
  EXPECT_EQ(parsed_time("2024-05-01T10:11:12.000000007-01:30"),
            (kMay1 + 36672 + 5400) * kSecond + 7);
}

TEST(ParseLogTime, DateAndTimeWithoutOffsetAreLocal) {
  LocalZone zone("EST5");
  EXPECT_EQ(parsed_time("2024-05-01"), (kMay1 + 5 * 3600) * kSecond);
  EXPECT_EQ(parsed_time("2024-05-01T10:11:12"), (kMay1 + 36672 + 5 * 3600) * kSecond);
  EXPECT_EQ(parsed_time("2024-05-01T10:11:12.25"),
            (kMay1 + 36672 + 5 * 3600) * kSecond + kSecond / 4);
}

TEST(ParseLogTime, UnixSeconds) {
  EXPECT_EQ(parsed_time("1714558272"), 1714558272 * kSecond);
  EXPECT_EQ(parsed_time("1714558272.5"), 1714558272 * kSecond + kSecond / 2);
  EXPECT_EQ(parsed_time("0.000000001"), 1);
  EXPECT_EQ(parsed_time("0"), 0);
}

TEST(ParseLogTime, DurationsCountBackFromNow) {
  EXPECT_EQ(parsed_time("10m"), kNow - 600 * kSecond);
  EXPECT_EQ(parsed_time("1h30m"), kNow - 5400 * kSecond);
  EXPECT_EQ(parsed_time("2.5s"), kNow - kSecond * 5 / 2);
  EXPECT_EQ(parsed_time("500ms"), kNow - 500 * 1000 * 1000);
  EXPECT_EQ(parsed_time("1h"), kNow - 3600 * kSecond);
  EXPECT_EQ(parsed_time("1.5h"), kNow - 5400 * kSecond);
  EXPECT_EQ(parsed_time(".5m"), kNow - 30 * kSecond);
  EXPECT_EQ(parsed_time("3us"), kNow - 3000);
  EXPECT_EQ(parsed_time("3\u00b5s"), kNow - 3000);
  EXPECT_EQ(parsed_time("7ns"), kNow - 7);
  EXPECT_EQ(parsed_time("-1m"), kNow + 60 * kSecond);
}

TEST(ParseLogTime, JunkIsAnErrorNamingTheAcceptedForms) {
  for (const char* junk : {"", "yesterday", "10x", "1h30", "1..5s", ".s", "h", "5 m",
                           "2024-05-01T25:00:00Z", "2024-13-01", "1714558272.1234567890",
                           "2024-05-01T10:11:12+0200", "99999999999999999999", "9999999999h"}) {
    auto parsed = parse_log_time(junk, kNow);
    ASSERT_FALSE(parsed) << junk << " parsed as " << *parsed;
    EXPECT_EQ(parsed.error().code, EINVAL);
    EXPECT_NE(parsed.error().message.find("RFC 3339"), std::string::npos);
    EXPECT_NE(parsed.error().message.find("duration"), std::string::npos);
  }
}

// ---- print_logs

std::string fd_contents(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return "<fstat failed>";
  std::string content(static_cast<size_t>(st.st_size), '\0');
  ssize_t n = ::pread(fd, content.data(), content.size(), 0);
  content.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return content;
}

// Polls until `fd` holds `expected`; false after a few seconds, so that a
// broken reader fails the test instead of hanging it.
bool wait_for_contents(int fd, const std::string& expected) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fd_contents(fd) == expected) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

class PrintLogs : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = base::make_temp_dir("/tmp", "burrow-logs-test-");
    ASSERT_TRUE(dir) << dir.error().message;
    dir_ = *dir;
    path_ = dir_ + "/ctr.log";
    out_.reset(::memfd_create("stdout", MFD_CLOEXEC));
    err_.reset(::memfd_create("stderr", MFD_CLOEXEC));
    ASSERT_TRUE(out_ && err_);
  }
  void TearDown() override {
    if (!dir_.empty()) (void)base::remove_tree(dir_);
  }

  // Appends through a fresh O_APPEND descriptor, as the monitor writes.
  void append(std::string_view text) {
    base::UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
    ASSERT_TRUE(fd);
    ASSERT_TRUE(base::write_all(fd.get(), text));
  }

  Status run(const LogsOptions& options, std::function<bool()> still_running = {}) {
    return print_logs(path_, options, out_.get(), err_.get(), still_running);
  }
  std::string out() const { return fd_contents(out_.get()); }
  void reset_output() {
    for (int fd : {out_.get(), err_.get()}) {
      ASSERT_EQ(::ftruncate(fd, 0), 0);
      ASSERT_EQ(::lseek(fd, 0, SEEK_SET), 0);
    }
  }
  std::string err() const { return fd_contents(err_.get()); }

  std::string dir_;
  std::string path_;
  base::UniqueFd out_;
  base::UniqueFd err_;
};

TEST_F(PrintLogs, SplitsStdoutAndStderr) {
  append(record(1, "stdout", 'F', "one") + record(2, "stderr", 'F', "two") +
         record(3, "stdout", 'F', "") + record(4, "stdout", 'F', "four  spaced "));
  ASSERT_TRUE(run({}));
  EXPECT_EQ(out(), "one\n\nfour  spaced \n");
  EXPECT_EQ(err(), "two\n");
}

TEST_F(PrintLogs, JoinsPartialRecordsOfTheSameStream) {
  append(record(1, "stdout", 'P', "hel") + record(2, "stderr", 'F', "between") +
         record(3, "stdout", 'P', "lo") + record(4, "stdout", 'F', " world") +
         record(5, "stderr", 'P', "") + record(6, "stderr", 'F', "e"));
  ASSERT_TRUE(run({}));
  EXPECT_EQ(out(), "hello world\n");
  EXPECT_EQ(err(), "between\ne\n");
}

TEST_F(PrintLogs, SameDescriptorKeepsTheFileOrder) {
  append(record(1, "stdout", 'F', "a") + record(2, "stderr", 'F', "b") +
         record(3, "stdout", 'F', "c"));
  ASSERT_TRUE(print_logs(path_, {}, out_.get(), out_.get(), {}));
  EXPECT_EQ(out(), "a\nb\nc\n");
}

TEST_F(PrintLogs, TimestampsPrefixEachLineWithItsFirstRecordTime) {
  append(record(1, "stdout", 'P', "a") + record(2, "stderr", 'F', "x") +
         record(3, "stdout", 'F', "b") + record(4, "stdout", 'F', ""));
  LogsOptions options;
  options.timestamps = true;
  ASSERT_TRUE(run(options));
  EXPECT_EQ(out(), time_text(1) + " ab\n" + time_text(4) + " \n");
  EXPECT_EQ(err(), time_text(2) + " x\n");
}

TEST_F(PrintLogs, SinceAndUntilAreInclusive) {
  for (int second = 1; second <= 5; ++second) {
    append(record(second, "stdout", 'F', std::to_string(second)));
  }
  LogsOptions options;
  options.since_ns = record_time(2);
  options.until_ns = record_time(4);
  ASSERT_TRUE(run(options));
  EXPECT_EQ(out(), "2\n3\n4\n");
}

TEST_F(PrintLogs, SinceBetweenRecordsSkipsTheEarlierOnes) {
  for (int second = 1; second <= 3; ++second) {
    append(record(second, "stderr", 'F', std::to_string(second)));
  }
  LogsOptions options;
  options.since_ns = record_time(2) - 1;
  ASSERT_TRUE(run(options));
  EXPECT_EQ(err(), "2\n3\n");
}

TEST_F(PrintLogs, TailPrintsTheLastLines) {
  for (int second = 1; second <= 4; ++second) {
    append(record(second, second == 3 ? "stderr" : "stdout", 'F', std::to_string(second)));
  }
  LogsOptions options;
  options.tail = 2;
  ASSERT_TRUE(run(options));
  EXPECT_EQ(out(), "4\n");
  EXPECT_EQ(err(), "3\n");
}

TEST_F(PrintLogs, TailZeroPrintsNothing) {
  append(record(1, "stdout", 'F', "a") + record(2, "stderr", 'F', "b"));
  LogsOptions options;
  options.tail = 0;
  ASSERT_TRUE(run(options));
  EXPECT_EQ(out(), "");
  EXPECT_EQ(err(), "");
}

TEST_F(PrintLogs, TailLargerThanTheFilePrintsEverything) {
  append(record(1, "stdout", 'P', "a") + record(2, "stdout", 'F', "b") +
         record(3, "stderr", 'F', "c"));
  LogsOptions options;
  options.tail = 100;
  ASSERT_TRUE(run(options));
  EXPECT_EQ(out(), "ab\n");
  EXPECT_EQ(err(), "c\n");
}

TEST_F(PrintLogs, TailCountsPartialRunsAsOneLine) {
  // Lines by where they end: stderr "x" (2), stdout "ab" (3), stdout "c"
  // (4), then stdout "d" still unterminated (6), stderr "yz" (7).
  append(record(1, "stdout", 'P', "a") + record(2, "stderr", 'F', "x") +
         record(3, "stdout", 'F', "b") + record(4, "stdout", 'F', "c") +
         record(5, "stderr", 'P', "y") + record(6, "stdout", 'P', "d") +
         record(7, "stderr", 'F', "z"));
  const std::pair<size_t, std::pair<std::string, std::string>> cases[] = {
      {1, {"", "yz\n"}},         {2, {"d", "yz\n"}},           {3, {"c\nd", "yz\n"}},
      {4, {"ab\nc\nd", "yz\n"}}, {5, {"ab\nc\nd", "x\nyz\n"}},
  };
  for (const auto& [count, expected] : cases) {
    reset_output();
    LogsOptions options;
    options.tail = count;
    ASSERT_TRUE(run(options));
    EXPECT_EQ(out(), expected.first) << "tail " << count;
    EXPECT_EQ(err(), expected.second) << "tail " << count;
  }
}

TEST_F(PrintLogs, TailOfAFileLargerThanTheReadChunks) {
  std::string log;
  std::string expected_out;
  std::string all_out;
  for (int i = 0; i < 3000; ++i) {
    log += record(i % 60, "stdout", 'F', fmt::format("line {}", i));
    all_out += fmt::format("line {}\n", i);
    if (i >= 2998) expected_out += fmt::format("line {}\n", i);
  }
  // A line longer than a read chunk, split into records the way the monitor does.
  std::string long_text(100 * 1024, 'x');
  log += record(1, "stderr", 'P', long_text.substr(0, 70000));
  log += record(2, "stdout", 'F', "last");
  log += record(3, "stderr", 'F', long_text.substr(70000));
  expected_out += "last\n";
  append(log);
  LogsOptions options;
  options.tail = 4;
  ASSERT_TRUE(run(options));
  EXPECT_EQ(out(), expected_out);
  EXPECT_EQ(err(), long_text + "\n");

  reset_output();
  options.tail = 100000;
  ASSERT_TRUE(run(options));
  EXPECT_EQ(out(), all_out + "last\n");
  EXPECT_EQ(err(), long_text + "\n");
}

TEST_F(PrintLogs, MalformedLineNamesFileAndLine) {
  append(record(1, "stdout", 'F', "fine") + "2024-05-01T10:00:02Z stdout X bad\n" +
         record(3, "stdout", 'F', "fine"));
  auto result = run({});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, EINVAL);
  EXPECT_NE(result.error().message.find("log file " + path_ + " line 2: unknown flag"),
            std::string::npos)
      << result.error().message;
}

TEST_F(PrintLogs, MalformedLineFoundByTailNamesItsLine) {
  append(record(1, "stdout", 'F', "fine") + "\n" + record(3, "stdout", 'F', "fine"));
  LogsOptions options;
  options.tail = 5;
  auto result = run(options);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("log file " + path_ + " line 2: missing"),
            std::string::npos)
      << result.error().message;
}

TEST_F(PrintLogs, IncompleteLastLineIsARecordBeingWritten) {
  append(record(1, "stdout", 'F', "done") + "2024-05-01T10:00:02.0000");
  ASSERT_TRUE(run({}));
  EXPECT_EQ(out(), "done\n");
  reset_output();
  LogsOptions options;
  options.tail = 1;
  ASSERT_TRUE(run(options));
  EXPECT_EQ(out(), "done\n");
}

TEST_F(PrintLogs, MissingFileIsENOENT) {
  auto result = run({});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ENOENT);
  EXPECT_NE(result.error().message.find(path_), std::string::npos);
}

TEST_F(PrintLogs, FollowOfAStoppedContainerPrintsWhatIsThere) {
  append(record(1, "stdout", 'F', "a") + record(2, "stderr", 'F', "b"));
  LogsOptions options;
  options.follow = true;
  ASSERT_TRUE(run(options, [] { return false; }));
  EXPECT_EQ(out(), "a\n");
  EXPECT_EQ(err(), "b\n");
}

TEST_F(PrintLogs, FollowPrintsEveryRecordAppendedUntilTheContainerStops) {
  append(record(0, "stdout", 'F', "before"));
  std::atomic<bool> running{true};
  std::string expected_out = "before\n";
  std::string expected_err;
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i) {
      const char* stream = i % 3 == 0 ? "stderr" : "stdout";
      std::string& expected = i % 3 == 0 ? expected_err : expected_out;
      if (i % 5 == 0) {
        append(record(i % 60, stream, 'P', fmt::format("part {} ", i)));
        append(record(i % 60, stream, 'F', fmt::format("end {}", i)));
        expected += fmt::format("part {} end {}\n", i, i);
      } else {
        append(record(i % 60, stream, 'F', fmt::format("line {}", i)));
        expected += fmt::format("line {}\n", i);
      }
      if (i % 10 == 9) std::this_thread::sleep_for(15ms);
    }
    // One record written in two pieces: the reader waits for its newline.
    std::string last = record(59, "stdout", 'F', "last");
    append(last.substr(0, 20));
    std::this_thread::sleep_for(120ms);
    append(last.substr(20));
    expected_out += "last\n";
    running = false;
  });
  LogsOptions options;
  options.follow = true;
  auto result = run(options, [&] { return running.load(); });
  writer.join();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(out(), expected_out);
  EXPECT_EQ(err(), expected_err);
}

TEST_F(PrintLogs, FollowWithTailZeroPrintsOnlyNewLines) {
  append(record(1, "stdout", 'F', "old"));
  std::atomic<bool> running{true};
  std::thread writer([&] {
    std::this_thread::sleep_for(100ms);
    append(record(2, "stdout", 'F', "new"));
    running = false;
  });
  LogsOptions options;
  options.follow = true;
  options.tail = 0;
  auto result = run(options, [&] { return running.load(); });
  writer.join();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(out(), "new\n");
}

TEST_F(PrintLogs, FollowStartsAgainAfterTruncation) {
  append(record(1, "stdout", 'F', "first line before rotation") +
         record(2, "stdout", 'F', "second line before rotation"));
  std::atomic<bool> running{true};
  bool saw_before = false;
  bool saw_after = false;
  std::thread writer([&] {
    saw_before =
        wait_for_contents(out_.get(), "first line before rotation\nsecond line before rotation\n");
    EXPECT_EQ(::truncate(path_.c_str(), 0), 0);
    append(record(3, "stdout", 'F', "after"));
    saw_after = wait_for_contents(
        out_.get(), "first line before rotation\nsecond line before rotation\nafter\n");
    running = false;
  });
  LogsOptions options;
  options.follow = true;
  auto result = run(options, [&] { return running.load(); });
  writer.join();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(saw_before);
  EXPECT_TRUE(saw_after) << out();
}

TEST_F(PrintLogs, FollowSwitchesToAFileRenamedOverTheLog) {
  append(record(1, "stdout", 'F', "old file"));
  std::atomic<bool> running{true};
  bool saw_after = false;
  std::thread writer([&] {
    wait_for_contents(out_.get(), "old file\n");
    std::string fresh = dir_ + "/ctr.log.tmp";
    EXPECT_TRUE(base::write_file_atomic(fresh, record(2, "stdout", 'F', "new file"), 0644, false));
    EXPECT_EQ(::rename(fresh.c_str(), path_.c_str()), 0);
    saw_after = wait_for_contents(out_.get(), "old file\nnew file\n");
    running = false;
  });
  LogsOptions options;
  options.follow = true;
  auto result = run(options, [&] { return running.load(); });
  writer.join();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(saw_after) << out();
}

TEST_F(PrintLogs, FollowStopsAtAMalformedAppendedLine) {
  append(record(1, "stdout", 'F', "fine"));
  auto deadline = std::chrono::steady_clock::now() + 10s;
  std::thread writer([&] {
    std::this_thread::sleep_for(100ms);
    append("garbage\n");
  });
  LogsOptions options;
  options.follow = true;
  auto result = run(options, [&] { return std::chrono::steady_clock::now() < deadline; });
  writer.join();
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("line 2"), std::string::npos) << result.error().message;
  EXPECT_EQ(out(), "fine\n");
}

// ---- print_logs of json-file logs

LogsOptions json_options() {
  LogsOptions options;
  options.format = LogFormat::kJsonFile;
  return options;
}

TEST_F(PrintLogs, JsonFileSplitsStreamsAndJoinsPartialLines) {
  append(json_record(1, "stdout", "hel") + json_record(2, "stderr", "between\\n") +
         json_record(3, "stdout", "lo") + json_record(4, "stdout", " world\\n") +
         json_record(5, "stdout", "\\n") + json_record(6, "stderr", "e\\n"));
  ASSERT_TRUE(run(json_options()));
  EXPECT_EQ(out(), "hello world\n\n");
  EXPECT_EQ(err(), "between\ne\n");
}

TEST_F(PrintLogs, JsonFileTimestampsSinceAndTail) {
  append(json_record(1, "stdout", "one\\n") + json_record(2, "stdout", "tw") +
         json_record(3, "stdout", "o\\n") + json_record(4, "stdout", "three\\n"));
  LogsOptions options = json_options();
  options.timestamps = true;
  options.tail = 2;
  ASSERT_TRUE(run(options));
  EXPECT_EQ(out(), "2024-05-01T08:00:02.000000001Z two\n2024-05-01T08:00:04.000000001Z three\n");
  reset_output();
  options = json_options();
  options.since_ns = record_time(3);
  ASSERT_TRUE(run(options));
  EXPECT_EQ(out(), "o\nthree\n");
  reset_output();
  options = json_options();
  options.until_ns = record_time(1);
  ASSERT_TRUE(run(options));
  EXPECT_EQ(out(), "one\n");
}

TEST_F(PrintLogs, JsonFileMalformedLineNamesFileAndLine) {
  append(json_record(1, "stdout", "fine\\n") + record(2, "stdout", 'F', "k8s line"));
  auto result = run(json_options());
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find(path_ + " line 2"), std::string::npos)
      << result.error().message;
}

TEST_F(PrintLogs, JsonFileFollowSwitchesToARotatedLog) {
  append(json_record(1, "stdout", "old file\\n"));
  std::atomic<bool> running{true};
  bool saw_after = false;
  std::thread writer([&] {
    wait_for_contents(out_.get(), "old file\n");
    append(json_record(2, "stdout", "end of old\\n"));
    std::string fresh = dir_ + "/ctr.log.rotate";
    EXPECT_TRUE(
        base::write_file_atomic(fresh, json_record(3, "stdout", "new file\\n"), 0644, false));
    EXPECT_EQ(::rename(fresh.c_str(), path_.c_str()), 0);
    saw_after = wait_for_contents(out_.get(), "old file\nend of old\nnew file\n");
    running = false;
  });
  LogsOptions options = json_options();
  options.follow = true;
  auto result = run(options, [&] { return running.load(); });
  writer.join();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(saw_after) << out();
}

}  // namespace
}  // namespace burrow::engine

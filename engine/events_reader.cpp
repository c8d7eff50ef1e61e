// Reads the event log for `burrow events`; runs in the CLI. Following uses
// inotify on the log's directory, with a one-second poll as the fallback
// (and to ask whether to stop).
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file_util.h"
#include "base/log.h"
#include "base/unique_fd.h"
#include "engine/events.h"

namespace burrow::engine {
namespace {

constexpr int kFollowPollMs = 1000;

// One log file read line by line from an offset; a line is used only once
// its newline has been written.
class LogFile {
 public:
  // A missing file is empty (and has inode 0).
  Status open(const std::string& path, bool at_end) {
    fd_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    partial_.clear();
    inode_ = 0;
    if (!fd_) {
      if (errno == ENOENT) return base::ok();
      return base::fail_errno("opening the event log {}", path);
    }
    struct stat info {};
    if (::fstat(fd_.get(), &info) == 0) inode_ = info.st_ino;
    if (at_end) ::lseek(fd_.get(), 0, SEEK_END);
    return base::ok();
  }

  ino_t inode() const { return inode_; }

  // Calls line() for each complete new line; false when it asked to stop.
  Result<bool> drain(const std::function<bool(std::string_view)>& line) {
    if (!fd_) return true;
    char buffer[65536];
    for (;;) {
      ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return base::fail_errno("reading the event log");
      if (n == 0) return true;
      partial_.append(buffer, static_cast<size_t>(n));
      size_t start = 0, newline;
      while ((newline = partial_.find('\n', start)) != std::string::npos) {
        bool go_on = line(std::string_view(partial_).substr(start, newline - start));
        start = newline + 1;
        if (!go_on) return false;
      }
      partial_.erase(0, start);
    }
  }

 private:
  base::UniqueFd fd_;
  ino_t inode_ = 0;
  std::string partial_;
};

ino_t inode_of(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? info.st_ino : 0;
}

class EventPrinter {
 public:
  EventPrinter(const EventReadOptions& options, const EventFilter& filter,
               const std::function<bool(const Event&)>& each)
      : options_(options), filter_(filter), each_(each) {}

  bool operator()(std::string_view line) {
    if (line.empty()) return true;
    auto event = event_from_json(line);
    if (!event) {
      base::debug("skipping a damaged event: {}", event.error().message);
      return true;
    }
    if (options_.since_ns && event->time_ns < *options_.since_ns) return true;
    if (options_.until_ns && event->time_ns > *options_.until_ns) return true;
    if (!filter_.matches(*event)) return true;
    return each_(*event);
  }

 private:
  const EventReadOptions& options_;
  const EventFilter& filter_;
  const std::function<bool(const Event&)>& each_;
};

// Waits until the log's directory changes or the poll interval passes.
void wait_for_change(int inotify_fd) {
  pollfd fd{inotify_fd, POLLIN, 0};
  if (::poll(&fd, inotify_fd >= 0 ? 1 : 0, kFollowPollMs) > 0) {
    char events[4096];
    while (::read(inotify_fd, events, sizeof events) > 0) {
    }
  }
}

Status follow(const std::string& path, LogFile& current, EventPrinter& printer,
              const EventReadOptions& options) {
  std::string dir = path.substr(0, path.rfind('/'));
  (void)base::make_dirs(dir, 0700);
  base::UniqueFd inotify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (inotify &&
      ::inotify_add_watch(inotify.get(), dir.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0)
    inotify.reset();
  auto line = [&](std::string_view text) { return printer(text); };
  for (;;) {
    if (options.stop && options.stop()) return base::ok();
    BURROW_TRY(bool go_on, current.drain(line));
    if (!go_on) return base::ok();
    // Rotated (or created): the old file was read to its end above.
    ino_t now = inode_of(path);
    if (now != 0 && now != current.inode()) {
      BURROW_CHECK(current.open(path, false));
      continue;
    }
    wait_for_change(inotify.get());
  }
}

}  // namespace

Status read_events(const StorePaths& paths, const EventReadOptions& options,
                   const EventFilter& filter, const std::function<bool(const Event&)>& each) {
  std::string path = events_log_path(paths);
  EventPrinter printer(options, filter, each);
  auto line = [&](std::string_view text) { return printer(text); };
  LogFile current;
  if (options.follow && options.only_new) {
    BURROW_CHECK(current.open(path, true));
    return follow(path, current, printer, options);
  }
  LogFile rotated;
  BURROW_CHECK(rotated.open(path + ".1", false));
  BURROW_CHECK(current.open(path, false));
  BURROW_TRY(bool go_on, rotated.drain(line));
  if (!go_on) return base::ok();
  BURROW_TRY(go_on, current.drain(line));
  if (!go_on || !options.follow) return base::ok();
  return follow(path, current, printer, options);
}

}  // namespace burrow::engine

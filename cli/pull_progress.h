// What pull shows while it works, on stderr: Podman's lines ("Trying to
// pull ...", "Copying blob ... done") when stderr is not a terminal, and a
// live progress bar per blob when it is.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "engine/pull_transfer.h"

namespace burrow::cli {

class PullProgress {
 public:
  // `quiet` (-q) shows nothing; `terminal` draws bars.
  PullProgress(bool quiet, bool terminal) : quiet_(quiet), terminal_(terminal) {}
  engine::PullReporter reporter();

 private:
  struct Blob {
    std::string digest;
    int64_t done = 0;
    int64_t total = 0;
    bool finished = false;
  };
  void handle(const engine::PullEvent& event);
  void line(const std::string& text);
  Blob& blob(const std::string& digest);
  void redraw(bool force);

  bool quiet_;
  bool terminal_;
  std::mutex mutex_;
  std::vector<Blob> blobs_;
  size_t drawn_lines_ = 0;  // bar lines on screen below the last plain line
  std::chrono::steady_clock::time_point last_draw_{};
};

// "sha256:<hex>" -> its first 12 hex digits, as Podman prints blobs.
std::string short_digest(const std::string& digest);

}  // namespace burrow::cli

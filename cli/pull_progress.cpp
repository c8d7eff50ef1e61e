#include "cli/pull_progress.h"

#include <fmt/format.h>

#include <cstdio>

#include "base/strings.h"

namespace burrow::cli {
namespace {

using Kind = engine::PullEvent::Kind;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
constexpr int kBarWidth = 30;

std::string bar_line(const std::string& digest, int64_t done, int64_t total, bool finished) {
  std::string label = fmt::format("Copying blob {}", short_digest(digest));
  if (finished) return label + " done";
  int filled = total > 0 ? static_cast<int>(kBarWidth * done / total) : 0;
  std::string bar = std::string(filled, '=') + std::string(kBarWidth - filled, ' ');
  return fmt::format("{} [{}] {} / {}", label, bar, base::human_size(static_cast<uint64_t>(done)),
                     base::human_size(static_cast<uint64_t>(total)));
}

}  // namespace

std::string short_digest(const std::string& digest) {
  auto colon = digest.find(':');
  return digest.substr(colon == std::string::npos ? 0 : colon + 1, 12);
}

engine::PullReporter PullProgress::reporter() {
  return [this](const engine::PullEvent& event) { handle(event); };
}

PullProgress::Blob& PullProgress::blob(const std::string& digest) {
  for (auto& known : blobs_)
    if (known.digest == digest) return known;
  blobs_.push_back({digest});
  return blobs_.back();
}

void PullProgress::line(const std::string& text) {
  // Plain lines go above the bars: clear the bars, print, draw them again.
  if (terminal_ && drawn_lines_ > 0) {
    std::fprintf(stderr, "\033[%zuA\033[J", drawn_lines_);
    drawn_lines_ = 0;
  }
  std::fprintf(stderr, "%s\n", text.c_str());
  if (terminal_) redraw(true);
}

void PullProgress::redraw(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  if (drawn_lines_ > 0) std::fprintf(stderr, "\033[%zuA", drawn_lines_);
  for (const auto& shown : blobs_)
    std::fprintf(stderr, "\033[2K%s\n",
                 bar_line(shown.digest, shown.done, shown.total, shown.finished).c_str());
  drawn_lines_ = blobs_.size();
  std::fflush(stderr);
}

void PullProgress::handle(const engine::PullEvent& event) {
  if (quiet_) return;
  std::lock_guard guard(mutex_);
  switch (event.kind) {
    case Kind::kTrying:
      blobs_.clear();
      drawn_lines_ = 0;
      return line(fmt::format("Trying to pull {}...", event.text));
    case Kind::kSignatures:
      return line("Getting image source signatures");
    case Kind::kConfig:
      return line(fmt::format("Copying config {} done", short_digest(event.text)));
    case Kind::kBlobSkipped:
      return line(fmt::format("Copying blob {} skipped: already exists", short_digest(event.text)));
    case Kind::kWritingManifest:
      return line("Writing manifest to image destination");
    case Kind::kBlobStarted:
    case Kind::kBlobProgress:
    case Kind::kBlobDone: {
      Blob& shown = blob(event.text);
      shown.done = event.done;
      shown.total = event.total;
      shown.finished = event.kind == Kind::kBlobDone;
      if (terminal_) return redraw(shown.finished);
      // Without a terminal only the end of each blob is worth a line.
      if (shown.finished)
        std::fprintf(stderr, "Copying blob %s done\n", short_digest(event.text).c_str());
      return;
    }
  }
}

}  // namespace burrow::cli

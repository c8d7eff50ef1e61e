// The CLI's own terminal during an attached session: raw mode (always
// restored), its size, and the detach keys that end a session while the
// container keeps running. Runs in the CLI process.
#pragma once

#include <termios.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "runtime/console.h"

namespace burrow::cli {

// Podman's default detach sequence.
inline constexpr const char* kDefaultDetachKeys = "ctrl-p,ctrl-q";

// Parses Podman's detach-key syntax into the bytes to watch for: a
// comma-separated list of single characters and "ctrl-X" (X one of a-z, @,
// [, \, ], ^, _). "" gives "" (detaching disabled). Anything else is an
// EINVAL error naming the key.
Result<std::string> parse_detach_keys(std::string_view keys);

// Watches input for the detach sequence. Bytes that could begin it are held
// back until they turn out not to (then passed on) or complete it.
class DetachMatcher {
 public:
  explicit DetachMatcher(std::string keys) : keys_(std::move(keys)) {}

  // Appends to `out` the bytes of `input` to pass on, in order; returns true
  // when the sequence completed (the rest of `input` is then dropped).
  bool feed(std::string_view input, std::string& out);

 private:
  std::string keys_;
  size_t matched_ = 0;
};

// The size of the terminal at `fd`; nullopt when it is not a terminal.
std::optional<runtime::ConsoleSize> terminal_size(int fd);

// The size of the first of stdin, stdout, stderr that is a terminal.
std::optional<runtime::ConsoleSize> own_terminal_size();

// Puts the terminal at `fd` in raw mode for its lifetime, so that every key
// (ctrl-c, the detach keys) reaches the container's own terminal. The old
// mode comes back when it is destroyed, at exit(), and on a fatal signal.
class RawTerminal {
 public:
  // Does nothing when `fd` is not a terminal.
  explicit RawTerminal(int fd);
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;
  ~RawTerminal();

  bool active() const { return active_; }

 private:
  bool active_ = false;
};

}  // namespace burrow::cli

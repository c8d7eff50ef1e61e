// Runs in the CLI (see terminal.h).
#include "cli/terminal.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

namespace burrow::cli {
namespace {

// The one terminal in raw mode and its old settings; plain globals, as the
// fatal-signal handler and atexit() need them.
int g_raw_fd = -1;
termios g_saved_mode;

void restore_saved_mode() {
  if (g_raw_fd >= 0) ::tcsetattr(g_raw_fd, TCSAFLUSH, &g_saved_mode);
  g_raw_fd = -1;
}

// A crash must not leave the user's shell without echo: restore, then die
// of the same signal (SA_RESETHAND made the disposition the default again).
void restore_on_fatal_signal(int signal_number) {
  if (g_raw_fd >= 0) ::tcsetattr(g_raw_fd, TCSANOW, &g_saved_mode);
  ::raise(signal_number);
}

void install_restore_handlers() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  std::atexit(restore_saved_mode);
  struct sigaction action {};
  action.sa_handler = restore_on_fatal_signal;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM, SIGHUP, SIGQUIT, SIGINT}) {
    // A signal the CLI was started with ignored (`burrow ... &`) stays so.
    struct sigaction current {};
    if (::sigaction(sig, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &action, nullptr);
  }
}

Result<char> control_key(std::string_view name, std::string_view whole) {
  if (name.size() == 1) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    if (c >= 'a' && c <= 'z') return static_cast<char>(c - 'a' + 1);
    switch (c) {
      case '@':
        return '\0';
      case '[':
        return '\x1b';
      case '\\':
        return '\x1c';
      case ']':
        return '\x1d';
      case '^':
        return '\x1e';
      case '_':
        return '\x1f';
      default:
        break;
    }
  }
  // The shell-escaped spelling of ctrl-\ as some write it.
  if (name == "\\\\") return '\x1c';
  return base::failf(EINVAL,
                     "invalid detach keys \"{}\": unknown key \"{}\"; use single characters or "
                     "ctrl-a..ctrl-z, ctrl-@, ctrl-[, ctrl-\\, ctrl-], ctrl-^, ctrl-_, separated "
                     "by commas",
                     whole, name);
}

}  // namespace

Result<std::string> parse_detach_keys(std::string_view keys) {
  std::string bytes;
  if (keys.empty()) return bytes;
  size_t start = 0;
  while (start <= keys.size()) {
    size_t comma = keys.find(',', start);
    std::string_view key =
        keys.substr(start, comma == std::string_view::npos ? keys.npos : comma - start);
    if (key.size() == 1) {
      bytes.push_back(key[0]);
    } else if (key.size() > 5 && (key.substr(0, 5) == "ctrl-" || key.substr(0, 5) == "CTRL-" ||
                                  key.substr(0, 5) == "Ctrl-")) {
      BURROW_TRY(char code, control_key(key.substr(5), keys));
      bytes.push_back(code);
    } else {
      return base::failf(EINVAL,
                         "invalid detach keys \"{}\": unknown key \"{}\"; use single characters "
                         "or ctrl-<key>, separated by commas, e.g. ctrl-p,ctrl-q",
                         keys, key);
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return bytes;
}

bool DetachMatcher::feed(std::string_view input, std::string& out) {
  if (keys_.empty()) {
    out.append(input);
    return false;
  }
  for (char c : input) {
    if (c == keys_[matched_]) {
      if (++matched_ == keys_.size()) {
        matched_ = 0;
        return true;
      }
      continue;
    }
    // What was held back was not the sequence after all; the current byte
    // may still begin a new one.
    out.append(keys_, 0, matched_);
    matched_ = 0;
    if (c == keys_[0]) {
      matched_ = 1;
      if (keys_.size() == 1) return true;
    } else {
      out.push_back(c);
    }
  }
  return false;
}

std::optional<runtime::ConsoleSize> terminal_size(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) != 0) return std::nullopt;
  return runtime::ConsoleSize{size.ws_row, size.ws_col};
}

std::optional<runtime::ConsoleSize> own_terminal_size() {
  for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO})
    if (auto size = terminal_size(fd)) return size;
  return std::nullopt;
}

RawTerminal::RawTerminal(int fd) {
  termios mode{};
  if (g_raw_fd >= 0 || !::isatty(fd) || ::tcgetattr(fd, &mode) != 0) return;
  install_restore_handlers();
  g_saved_mode = mode;
  // Output processing goes too: the container's terminal already turned
  // "\n" into "\r\n".
  ::cfmakeraw(&mode);
  if (::tcsetattr(fd, TCSANOW, &mode) != 0) return;
  g_raw_fd = fd;
  active_ = true;
}

RawTerminal::~RawTerminal() {
  if (active_) restore_saved_mode();
}

}  // namespace burrow::cli

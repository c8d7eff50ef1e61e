#include "engine/signal_names.h"

#include <signal.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <utility>

namespace burrow::engine {
namespace {

constexpr std::array<std::pair<const char*, int>, 31> kSignals = {{
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"SYS", SIGSYS},
}};

Result<int> number(const std::string& text, const std::string& original) {
  char* end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 1 || value > SIGRTMAX)
    return base::failf(EINVAL, "invalid signal \"{}\": use a name like SIGTERM or a number 1-{}",
                       original, SIGRTMAX);
  return static_cast<int>(value);
}

}  // namespace

Result<int> parse_signal(const std::string& text) {
  std::string name = text;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) return number(name, text);
  for (const auto& [signal_name, value] : kSignals)
    if (name == signal_name) return value;
  if (name.rfind("RTMIN+", 0) == 0) {
    BURROW_TRY(int offset, number(name.substr(6), text));
    if (SIGRTMIN + offset <= SIGRTMAX) return SIGRTMIN + offset;
  }
  if (name == "RTMIN") return SIGRTMIN;
  if (name == "RTMAX") return SIGRTMAX;
  return base::failf(EINVAL, "invalid signal \"{}\": use a name like SIGTERM or a number 1-{}",
                     text, SIGRTMAX);
}

}  // namespace burrow::engine

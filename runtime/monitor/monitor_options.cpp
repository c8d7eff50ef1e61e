// Runs in burrow-monitor (see monitor_options.h).
#include "runtime/monitor/monitor_options.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace burrow::monitor {

namespace {

bool parse_number(const char* text, long long min, long long max, long long* out) {
  if (text[0] < '0' || text[0] > '9') return false;  // no sign, no blanks
  errno = 0;
  char* end = nullptr;
  long long value = std::strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || value < min || value > max) return false;
  *out = value;
  return true;
}

// Each option's parser returns nullptr, or what is wrong with the value.
using ApplyOption = const char* (*)(const char* value, MonitorOptions* options);

const char* apply_fd(const char* value, int* fd) {
  long long number = 0;
  if (!parse_number(value, 0, INT_MAX, &number)) return "not a file descriptor";
  *fd = static_cast<int>(number);
  return nullptr;
}

struct OptionSpec {
  const char* name;
  ApplyOption apply;
};

constexpr OptionSpec kOptions[] = {
    {"id",
     [](const char* value, MonitorOptions* options) -> const char* {
       options->id = value;
       return nullptr;
     }},
    {"pid",
     [](const char* value, MonitorOptions* options) -> const char* {
       long long number = 0;
       if (!parse_number(value, 1, INT_MAX, &number)) return "not a process id";
       options->pid = static_cast<pid_t>(number);
       return nullptr;
     }},
    {"stdout-fd", [](const char* value,
                     MonitorOptions* options) { return apply_fd(value, &options->stdout_fd); }},
    {"stderr-fd", [](const char* value,
                     MonitorOptions* options) { return apply_fd(value, &options->stderr_fd); }},
    {"tty-fd",
     [](const char* value, MonitorOptions* options) { return apply_fd(value, &options->tty_fd); }},
    {"stdin-fd", [](const char* value,
                    MonitorOptions* options) { return apply_fd(value, &options->stdin_fd); }},
    {"forward-stdout-fd",
     [](const char* value, MonitorOptions* options) {
       return apply_fd(value, &options->forward_stdout_fd);
     }},
    {"forward-stderr-fd",
     [](const char* value, MonitorOptions* options) {
       return apply_fd(value, &options->forward_stderr_fd);
     }},
    {"sync-fd",
     [](const char* value, MonitorOptions* options) { return apply_fd(value, &options->sync_fd); }},
    {"log-driver",
     [](const char* value, MonitorOptions* options) -> const char* {
       if (std::strcmp(value, "k8s-file") == 0) {
         options->log_driver = LogDriver::kK8sFile;
       } else if (std::strcmp(value, "json-file") == 0) {
         options->log_driver = LogDriver::kJsonFile;
       } else if (std::strcmp(value, "none") == 0) {
         options->log_driver = LogDriver::kNone;
       } else {
         return "not one of k8s-file, json-file, none";
       }
       return nullptr;
     }},
    {"log-path",
     [](const char* value, MonitorOptions* options) -> const char* {
       options->log_path = value;
       return nullptr;
     }},
    {"log-max-size",
     [](const char* value, MonitorOptions* options) -> const char* {
       long long number = 0;
       if (!parse_number(value, 0, LLONG_MAX, &number)) return "not a size in bytes";
       options->log_max_size = static_cast<uint64_t>(number);
       return nullptr;
     }},
    {"exit-file",
     [](const char* value, MonitorOptions* options) -> const char* {
       options->exit_file = value;
       return nullptr;
     }},
    {"attach-socket",
     [](const char* value, MonitorOptions* options) -> const char* {
       options->attach_socket = value;
       return nullptr;
     }},
    {"exit-command",
     [](const char* value, MonitorOptions* options) -> const char* {
       if (options->exit_command_count == kMaxExitCommandArgs) return "too many arguments";
       options->exit_command[options->exit_command_count++] = value;
       return nullptr;
     }},
    {"healthcheck-interval-ms",
     [](const char* value, MonitorOptions* options) -> const char* {
       long long number = 0;
       if (!parse_number(value, 0, LLONG_MAX / 1000000, &number)) return "not a number of ms";
       options->healthcheck_interval_ms = number;
       return nullptr;
     }},
    {"healthcheck-command",
     [](const char* value, MonitorOptions* options) -> const char* {
       if (options->healthcheck_command_count == kMaxExitCommandArgs) return "too many arguments";
       options->healthcheck_command[options->healthcheck_command_count++] = value;
       return nullptr;
     }},
};

const OptionSpec* find_option(const char* name, size_t length) {
  for (const OptionSpec& spec : kOptions) {
    if (std::strlen(spec.name) == length && std::strncmp(spec.name, name, length) == 0) {
      return &spec;
    }
  }
  return nullptr;
}

bool is_absolute(const char* path) { return path == nullptr || path[0] == '/'; }

// The checks that need the whole command line; nullptr when it is coherent.
const char* check_coherence(const MonitorOptions& options) {
  if (options.pid <= 0) return "--pid is required";
  if (options.exit_file == nullptr) return "--exit-file is required";
  bool has_log = options.log_driver != LogDriver::kNone;
  if (has_log && options.log_path == nullptr) {
    return "--log-path is required unless --log-driver is none";
  }
  if (options.tty_fd >= 0 && (options.stdout_fd >= 0 || options.stderr_fd >= 0)) {
    return "--tty-fd cannot be combined with --stdout-fd or --stderr-fd";
  }
  if (options.tty_fd >= 0 && options.stdin_fd >= 0) {
    return "--tty-fd cannot be combined with --stdin-fd (input goes to the tty)";
  }
  if (!is_absolute(options.exit_file) || !is_absolute(options.attach_socket) ||
      (has_log && !is_absolute(options.log_path)) ||
      (options.exit_command_count > 0 && !is_absolute(options.exit_command[0])) ||
      (options.healthcheck_command_count > 0 && !is_absolute(options.healthcheck_command[0]))) {
    return "paths must be absolute (exit file, log, attach socket, exit and healthcheck commands)";
  }
  return nullptr;
}

}  // namespace

bool parse_monitor_options(int argc, char* const* argv, MonitorOptions* options, char* error,
                           size_t error_size) {
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    if (std::strncmp(arg, "--", 2) != 0) {
      std::snprintf(error, error_size, "unexpected argument \"%s\"", arg);
      return false;
    }
    const char* name = arg + 2;
    const char* equals = std::strchr(name, '=');
    size_t name_length = equals != nullptr ? static_cast<size_t>(equals - name) : std::strlen(name);
    const OptionSpec* spec = find_option(name, name_length);
    if (spec == nullptr) {
      std::snprintf(error, error_size, "unknown option --%.*s", static_cast<int>(name_length),
                    name);
      return false;
    }
    const char* value = nullptr;
    if (equals != nullptr) {
      value = equals + 1;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      std::snprintf(error, error_size, "option --%s needs a value", spec->name);
      return false;
    }
    if (const char* problem = spec->apply(value, options)) {
      std::snprintf(error, error_size, "--%s \"%s\": %s", spec->name, value, problem);
      return false;
    }
  }
  options->exit_command[options->exit_command_count] = nullptr;
  options->healthcheck_command[options->healthcheck_command_count] = nullptr;
  if (const char* problem = check_coherence(*options)) {
    std::snprintf(error, error_size, "%s", problem);
    return false;
  }
  return true;
}

}  // namespace burrow::monitor

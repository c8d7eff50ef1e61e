// State shared by every command of one CLI invocation: the global flags,
// the host profile, and the way errors become exit codes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"

namespace CLI {
class App;
}

namespace burrow::cli {

// Podman's exit codes for failures of the engine itself.
inline constexpr int kExitEngineError = 125;

struct GlobalOptions {
  std::optional<std::string> root;
  std::optional<std::string> runroot;
  std::optional<std::string> storage_driver;
  std::string log_level = "warn";
};

class Context {
 public:
  GlobalOptions global;
  int exit_code = 0;

  // The command words of this invocation ("container", "ls"), read from the
  // arguments before parsing. Building CLI11's whole tree of commands and
  // options costs more than the rest of a short command, so only what they
  // name is built; none (burrow --help) builds everything.
  std::vector<std::string> words;
  // Whether the command `name` under `parent` is to be built.
  bool wanted(const CLI::App& parent, const std::string& name) const;

  const engine::HostProfile& host();
  Result<std::unique_ptr<engine::Engine>> open_engine(engine::Access access);

 private:
  std::optional<engine::HostProfile> host_;
};

// The first two words of the command line that are not options (or the
// values of global options): the command and, for a group, its subcommand.
std::vector<std::string> command_words(int argc, const char* const* argv);

// Prints "Error: ..." to stderr and returns the exit code it stands for.
int report_error(const Error& error);

// Prints `warning` (its lines, without the question) and asks "Are you sure
// you want to continue? [y/N]" as Podman's prune and reset do; true on y/yes.
bool confirm(const std::string& warning);

// Runs `each` for every reference; errors are reported as they come and the
// last one's exit code is returned, as Podman does for multi-name commands.
template <typename F>
int for_each_reference(const std::vector<std::string>& references, F&& each) {
  int exit_code = 0;
  for (const auto& reference : references) {
    Status done = each(reference);
    if (!done) exit_code = report_error(done.error());
  }
  return exit_code;
}

// Runs `body`, which returns an exit code or an error, and stores the code.
template <typename F>
void run_command(Context& ctx, F&& body) {
  Result<int> result = body();
  ctx.exit_code = result ? *result : report_error(result.error());
}

}  // namespace burrow::cli

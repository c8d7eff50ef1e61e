// Foreground sessions with a terminal, in the CLI: `run -t` and `start -a`
// of a container with a tty (through its monitor), and `exec -t` (the CLI
// holds the exec'd process's pty itself, as exec has no monitor).
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "engine/container_exec.h"
#include "engine/container_lifecycle.h"
#include "engine/engine.h"

namespace burrow::cli {

// The attach flags shared by run, start, exec and attach.
struct AttachFlags {
  bool interactive = false;                // the CLI's stdin goes to the container
  std::optional<std::string> detach_keys;  // nullopt: ctrl-p,ctrl-q
  bool sig_proxy = true;
};

// The detach sequence the flags ask for (see parse_detach_keys).
Result<std::string> detach_sequence(const AttachFlags& flags);

// What a foreground start of a tty container needs: the StartIo to start it
// with (the container's output comes through a pipe, so that detaching can
// stop it) and the pipe's read end for attach_tty_foreground.
struct TtyStart {
  engine::StartIo io;
  base::UniqueFd output;
  base::UniqueFd output_write;  // reset once the monitor has its copy
};
Result<TtyStart> prepare_tty_start();

// Relays between the CLI's terminal and the started container until it
// exits (returns its exit code, after cleaning up as wait_foreground does)
// or the detach keys are typed (returns 0; the container runs on and its
// monitor cleans up after it).
Result<int> attach_tty_foreground(engine::Engine& engine, engine::StartedContainer& started,
                                  TtyStart& start, const AttachFlags& flags);

// `exec -t` in the foreground: the process's exit code, or 0 on detach (the
// process runs on, its pty kept open by a small holder process).
Result<int> exec_with_tty(engine::Engine& engine, engine::ExecRequest request,
                          const AttachFlags& flags);

}  // namespace burrow::cli

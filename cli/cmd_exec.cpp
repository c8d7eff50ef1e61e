// exec: a command in a running container, with or without a terminal.
#include "cli/commands.h"
#include "cli/tty_session.h"
#include "engine/container_exec.h"
#include "engine/container_options.h"

namespace burrow::cli {
namespace {

using engine::Access;

struct ExecFlags {
  bool interactive = false, tty = false, detach = false, privileged = false;
  std::vector<std::string> env, env_files;
  std::optional<std::string> user, workdir, detach_keys;
};

Result<int> exec(Context& ctx, const ExecFlags& flags, const std::vector<std::string>& positional) {
  if (positional.empty())
    return base::fail(EINVAL, "exec requires a container and a command: burrow exec CONTAINER CMD");
  if (positional.front().size() > 1 && positional.front().front() == '-')
    return base::failf(EINVAL, "unknown flag: {}", positional.front());
  engine::ExecRequest request;
  request.container = positional.front();
  request.command.assign(positional.begin() + 1, positional.end());
  for (const auto& file : flags.env_files) {
    BURROW_TRY(auto entries, engine::read_env_file(file));
    request.env.insert(request.env.end(), entries.begin(), entries.end());
  }
  for (const auto& flag : flags.env)
    if (auto entry = engine::resolve_env_flag(flag)) request.env.push_back(*entry);
  request.user = flags.user;
  request.workdir = flags.workdir;
  request.interactive = flags.interactive;
  request.detach = flags.detach;
  request.privileged = flags.privileged;
  request.tty = flags.tty;
  AttachFlags session{flags.interactive, flags.detach_keys, true};
  BURROW_CHECK(detach_sequence(session));
  BURROW_TRY(auto engine, ctx.open_engine(Access::kModify));
  if (flags.tty && !flags.detach) return exec_with_tty(*engine, request, session);
  return engine::exec_in_container(*engine, request);
}

}  // namespace

void add_exec(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<ExecFlags>();
  if (!ctx.wanted(app, "exec")) return;
  auto* cmd = app.add_subcommand("exec", "Run a process in a running container");
  cmd->prefix_command();
  cmd->fallthrough(false);
  cmd->add_flag("-i,--interactive", f->interactive, "Keep stdin open");
  cmd->add_flag("-t,--tty", f->tty, "Allocate a pseudo-TTY");
  cmd->add_option("--detach-keys", f->detach_keys,
                  "Keys that detach from the process (default ctrl-p,ctrl-q; \"\" disables)");
  cmd->add_flag("-d,--detach", f->detach, "Run in the background");
  cmd->add_flag("--privileged", f->privileged, "Run without the seccomp filter");
  cmd->add_option("-e,--env", f->env, "Set environment variables");
  cmd->add_option("--env-file", f->env_files, "Read environment variables from a file");
  cmd->add_option("-u,--user", f->user, "User (name|uid[:group|gid]) to run as");
  cmd->add_option("-w,--workdir", f->workdir, "Working directory inside the container");
  one_value_per_use(*cmd);
  cmd->callback([&ctx, f, cmd] {
    auto positional = cmd->remaining();
    run_command(ctx, [&] { return exec(ctx, *f, positional); });
  });
}

}  // namespace burrow::cli

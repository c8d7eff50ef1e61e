// `burrow events` (and `system events`): prints the event log, and with
// --stream (the default) keeps printing new events until interrupted.
#include <cstdio>
#include <ctime>
#include <iostream>

#include "base/clock.h"
#include "cli/commands.h"
#include "cli/event_format.h"
#include "cli/format.h"
#include "engine/container_logs.h"
#include "engine/events.h"

namespace burrow::cli {
namespace {

struct EventsFlags {
  std::vector<std::string> filters;
  std::string format, since, until;
  bool stream = true;
  bool no_trunc = true;
};

Result<engine::EventReadOptions> read_options(const EventsFlags& flags) {
  engine::EventReadOptions options;
  int64_t now = base::unix_now_ns();
  if (!flags.since.empty()) {
    BURROW_TRY(options.since_ns, engine::parse_log_time(flags.since, now));
  }
  if (!flags.until.empty()) {
    BURROW_TRY(options.until_ns, engine::parse_log_time(flags.until, now));
  }
  options.follow = flags.stream;
  // Streaming shows what happens from now on, unless asked for the past.
  options.only_new = flags.stream && flags.since.empty();
  if (options.until_ns) {
    int64_t until = *options.until_ns;
    options.stop = [until] { return base::unix_now_ns() > until; };
  }
  return options;
}

// Writes one line and flushes it, so that a reader at the other end of a
// pipe or file sees each event as it happens.
bool print_line(const std::string& line) {
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  return std::fflush(stdout) == 0;
}

Result<int> events(Context& ctx, const EventsFlags& flags) {
  BURROW_TRY(auto filter, engine::EventFilter::parse(flags.filters));
  BURROW_TRY(auto options, read_options(flags));
  std::optional<Template> tmpl;
  bool json = flags.format == "json";
  if (!flags.format.empty() && !json) {
    BURROW_TRY(tmpl, Template::parse(flags.format));
  }
  BURROW_TRY(auto engine, ctx.open_engine(engine::Access::kReadOnly));
  Status printing = base::ok();
  auto each = [&](const engine::Event& event) -> bool {
    std::string line;
    if (json) {
      line = engine::event_to_json(event);
    } else if (tmpl) {
      auto rendered = tmpl->render(event_template_values(event));
      if (!rendered) {
        printing = tl::unexpected(rendered.error());
        return false;
      }
      line = std::move(*rendered);
    } else {
      line = event_line(event, !flags.no_trunc);
    }
    return print_line(line);
  };
  BURROW_CHECK(engine::read_events(engine->paths(), options, filter, each));
  BURROW_CHECK(printing);
  return 0;
}

void add_events(CLI::App& parent, Context& ctx) {
  auto flags = std::make_shared<EventsFlags>();
  if (!ctx.wanted(parent, "events")) return;
  auto* cmd = parent.add_subcommand("events", "Show burrow events");
  cmd->add_option("-f,--filter", flags->filters,
                  "Filter: container=, image=, event= (status=), type=, label=");
  cmd->add_option("--format", flags->format, "json, or a Go template such as '{{.Status}}'");
  cmd->add_option("--since", flags->since, "Show events since this time or duration ago");
  cmd->add_option("--until", flags->until, "Show events until this time or duration ago");
  cmd->add_flag("--stream", flags->stream,
                "Keep printing new events until interrupted (default true; --stream=false "
                "prints the past events and exits)");
  cmd->add_flag("--no-trunc", flags->no_trunc, "Show full IDs (default true)");
  cmd->callback([&ctx, flags] { run_command(ctx, [&] { return events(ctx, *flags); }); });
}

}  // namespace

void add_events_commands(CLI::App& app, Context& ctx) {
  add_events(app, ctx);
  if (CLI::App* system = built_group(app, "system")) add_events(*system, ctx);
}

}  // namespace burrow::cli

#include "engine/image_pull.h"

#include "base/strings.h"
#include "engine/image_resolve.h"
#include "registry/registries_conf.h"

namespace burrow::engine {
namespace {

// One candidate name, from each of its sources in turn.
base::Result<std::string> pull_candidate(Engine& engine, const registry::RegistriesConf& conf,
                                         const image::Reference& candidate,
                                         const PullSettings& settings) {
  BURROW_TRY(auto sources, registry::pull_sources(conf, candidate));
  std::vector<std::string> failures;
  for (const auto& source : sources) {
    BURROW_TRY(image::Reference source_ref, image::parse_reference(source.reference));
    auto id = pull_from_source(engine, {source_ref, candidate, source.insecure}, settings);
    if (id) return id;
    failures.push_back(
        fmt::format("initializing source docker://{}: {}", source.reference, id.error().message));
    if (sources.size() == 1)
      return tl::unexpected(base::Error{id.error().code, failures.back(), 0});
  }
  return base::fail(EIO, base::join(failures, "; "));
}

}  // namespace

base::Result<PullPolicy> parse_pull_policy(std::string_view text) {
  if (text == "always" || text == "true") return PullPolicy::kAlways;
  if (text == "missing" || text == "ifmissing" || text == "ifnotpresent")
    return PullPolicy::kMissing;
  if (text == "never" || text == "false") return PullPolicy::kNever;
  if (text == "newer" || text == "ifnewer") return PullPolicy::kNewer;
  return base::failf(EINVAL, "unsupported pull policy \"{}\": use always, missing, never or newer",
                     text);
}

base::Result<std::string> pull_image(Engine& engine, const std::string& input,
                                     const PullSettings& settings) {
  BURROW_TRY(image::Reference ref, image::parse_reference(input));
  BURROW_TRY(auto conf, registry::load_registries_conf());
  BURROW_TRY(auto resolved, registry::resolve_short_name(conf, ref));
  std::vector<base::Error> failures;
  for (const auto& candidate : resolved.candidates) {
    auto id = pull_candidate(engine, conf, candidate, settings);
    if (id) return id;
    failures.push_back(id.error());
  }
  if (failures.size() == 1) return tl::unexpected(failures.front());
  std::string message = fmt::format("{} errors occurred while pulling {}:", failures.size(), input);
  for (const auto& failure : failures) message += "\n * " + failure.message;
  return base::fail(ENOENT, message);
}

base::Result<ImageRecord> image_for_run(Engine& engine, const std::string& input, PullPolicy policy,
                                        const PullSettings& settings) {
  if (policy != PullPolicy::kAlways && policy != PullPolicy::kNewer) {
    auto local = resolve_image(engine.images(), input);
    if (local || local.error().code != ENOENT || policy == PullPolicy::kNever) return local;
  }
  // "newer" compares digests by pulling: layers already stored are not
  // fetched again, so an unchanged image costs one manifest request.
  auto pulled = pull_image(engine, input, settings);
  if (!pulled) {
    if (policy == PullPolicy::kNewer) {
      if (auto local = resolve_image(engine.images(), input)) return local;
    }
    return tl::unexpected(pulled.error());
  }
  BURROW_TRY(auto image, engine.images().find_by_id(*pulled));
  if (!image) return base::failf(ENOENT, "{}: the pulled image vanished", input);
  return std::move(*image);
}

}  // namespace burrow::engine

// Runs in the CLI, inside the keeper's namespaces when rootless.
#include "engine/image_prune.h"

#include <set>

#include "base/clock.h"
#include "engine/container_logs.h"
#include "engine/container_store.h"
#include "engine/image_remove.h"
#include "image/image_config.h"

namespace burrow::engine {
namespace {

struct ImageFilter {
  std::optional<int64_t> until_s;
  std::vector<std::string> labels, not_labels;

  bool matches(const ImageRecord& image) const {
    if (until_s && image.created >= *until_s) return false;
    if (labels.empty() && not_labels.empty()) return true;
    auto config = image::parse_image_config(image.config);
    std::map<std::string, std::string> have;
    if (config) have = config->config.labels;
    // "KEY" matches any value, "KEY=VALUE" only that one.
    auto has = [&](const std::string& wanted) {
      size_t eq = wanted.find('=');
      auto it = have.find(wanted.substr(0, eq));
      if (it == have.end()) return false;
      return eq == std::string::npos || it->second == wanted.substr(eq + 1);
    };
    for (const auto& wanted : labels)
      if (!has(wanted)) return false;
    for (const auto& unwanted : not_labels)
      if (has(unwanted)) return false;
    return true;
  }
};

Result<ImageFilter> parse_filters(const std::vector<std::string>& filters) {
  ImageFilter filter;
  for (const auto& text : filters) {
    if (text.rfind("label!=", 0) == 0) {
      filter.not_labels.push_back(text.substr(7));
    } else if (text.rfind("label=", 0) == 0) {
      filter.labels.push_back(text.substr(6));
    } else if (text.rfind("until=", 0) == 0) {
      BURROW_TRY(int64_t until_ns, parse_log_time(text.substr(6), base::unix_now_ns()));
      filter.until_s = until_ns / 1000000000;
    } else {
      return base::failf(EINVAL, "invalid filter \"{}\": use until=, label= or label!=", text);
    }
  }
  return filter;
}

Result<std::set<std::string>> images_in_use(Engine& engine) {
  ContainerStore containers(engine.db());
  BURROW_TRY(auto records, containers.list());
  std::set<std::string> used;
  for (const auto& record : records) used.insert(record.image_id);
  return used;
}

}  // namespace

Result<ImagePruneReport> prune_images(Engine& engine, const ImagePruneOptions& options) {
  BURROW_TRY(ImageFilter filter, parse_filters(options.filters));
  BURROW_TRY(auto images, engine.images().list());
  BURROW_TRY(auto used, images_in_use(engine));
  ImagePruneReport report;
  for (const auto& image : images) {
    if (!options.all && !image.names.empty()) continue;
    if (used.count(image.id) || !filter.matches(image)) continue;
    // By id, so rmi's rules delete the image with all its names (and record
    // the untag and remove events) rather than untag one name.
    auto removed = remove_image(engine, image.id);
    if (removed) {
      report.removed.push_back(image.id);
    } else if (removed.error().code != ENOENT && removed.error().code != EBUSY) {
      // Gone meanwhile, or taken by a container created meanwhile: not ours to report.
      report.errors.push_back(removed.error());
    }
  }
  return report;
}

}  // namespace burrow::engine

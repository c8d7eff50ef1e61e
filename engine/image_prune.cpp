// Runs in the CLI, inside the keeper's namespaces when rootless.
#include "engine/image_prune.h"

#include <set>

#include "engine/container_store.h"
#include "engine/image_remove.h"
#include "engine/prune_filters.h"
#include "image/image_config.h"

namespace burrow::engine {
namespace {

bool image_matches(const PruneFilters& filters, const ImageRecord& image) {
  if (filters.until_ns && image.created >= *filters.until_ns / 1000000000) return false;
  if (filters.labels.empty() && filters.not_labels.empty()) return true;
  auto config = image::parse_image_config(image.config);
  return filters.labels_pass(config ? config->config.labels : std::map<std::string, std::string>{});
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
  BURROW_TRY(PruneFilters filter, parse_prune_filters(options.filters));
  BURROW_TRY(auto images, engine.images().list());
  BURROW_TRY(auto used, images_in_use(engine));
  ImagePruneReport report;
  for (const auto& image : images) {
    if (!options.all && !image.names.empty()) continue;
    if (used.count(image.id) || !image_matches(filter, image)) continue;
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

#include "engine/image_remove.h"

#include "base/file_util.h"
#include "base/log.h"
#include "engine/events.h"
#include "engine/image_resolve.h"
#include "image/reference.h"
#include "storage-fuse/blob_store.h"

namespace burrow::engine {
namespace {

// The stored name `input` refers to, when it is a name rather than an id.
std::optional<std::string> matching_name(const ImageRecord& image, const std::string& input) {
  auto ref = image::parse_reference(input);
  if (!ref) return std::nullopt;
  for (const auto& name : image.names)
    if (reference_names(*ref, name)) return name;
  return std::nullopt;
}

void remove_files(const StorePaths& paths, const ImageRecord& image,
                  const std::vector<LayerRecord>& orphans) {
  storage::BlobStore blobs(paths.blobs());
  auto warn_if = [](const Status& status) {
    if (!status) base::warn("removing image files: {}", status.error().message);
  };
  for (const auto& layer : orphans) {
    warn_if(base::remove_tree(paths.layer_dir(layer.diff_id.substr(7))));
    warn_if(blobs.remove(layer.blob_digest));
  }
  warn_if(blobs.remove("sha256:" + image.id));
}

}  // namespace

Result<RemoveReport> remove_image(Engine& engine, const std::string& input) {
  BURROW_TRY(auto lock, lock_storage(engine.paths()));
  BURROW_TRY(ImageRecord image, resolve_image(engine.images(), input));
  RemoveReport report;
  auto name = matching_name(image, input);
  if (name && image.names.size() > 1) {
    BURROW_CHECK(engine.images().untag(*name));
    report.untagged.push_back(*name);
    record_image_event(engine.paths(), "untag", image.id, *name);
    return report;
  }
  BURROW_TRY(auto orphans, engine.images().remove(image.id));
  // The rows are gone first: a crash now leaves unreferenced files, which
  // are harmless, never a row that points at missing files.
  remove_files(engine.paths(), image, orphans);
  report.untagged = image.names;
  report.deleted.push_back(image.id);
  for (const auto& untagged : image.names)
    record_image_event(engine.paths(), "untag", image.id, untagged);
  record_image_event(engine.paths(), "remove", image.id, input);
  return report;
}

Status tag_image(Engine& engine, const std::string& source, const std::string& new_name) {
  BURROW_TRY(std::string name, normalize_new_name(new_name));
  BURROW_TRY(ImageRecord image, resolve_image(engine.images(), source));
  BURROW_CHECK(engine.images().tag(image.id, name));
  record_image_event(engine.paths(), "tag", image.id, name);
  return base::ok();
}

}  // namespace burrow::engine

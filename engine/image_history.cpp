// Runs in the CLI process; reads the state database only.
#include "engine/image_history.h"

#include <map>
#include <set>

#include "base/strings.h"
#include "image/image_config.h"
#include "image/timestamps.h"

namespace burrow::engine {
namespace {

// Layers are shared by content, so "the same layer chain" is the same list
// of diff_ids from the bottom: the key of an image's first `count` layers.
std::string chain_key(const std::vector<std::string>& diff_ids, size_t count) {
  return base::join(std::vector<std::string>(diff_ids.begin(), diff_ids.begin() + count), ",");
}

using ImagesByTop = std::map<std::string, std::vector<ImageRecord>>;

// Every local image with layers, keyed by its whole chain (its top layer).
Result<ImagesByTop> images_by_top_layer(Engine& engine) {
  BURROW_TRY(auto images, engine.images().list());
  ImagesByTop by_top;
  for (auto& image : images) {
    if (image.diff_ids.empty()) continue;
    std::string key = chain_key(image.diff_ids, image.diff_ids.size());
    by_top[key].push_back(std::move(image));
  }
  return by_top;
}

std::vector<std::string> labels_of(const std::vector<ImageRecord>& images) {
  std::vector<std::string> labels;
  for (const auto& image : images) {
    if (image.names.empty()) labels.push_back(image.id.substr(0, 12));
    for (const auto& name : image.names) labels.push_back(name);
  }
  return labels;
}

Result<int64_t> layer_size(Engine& engine, const std::string& diff_id) {
  BURROW_TRY(auto layer, engine.images().layer(diff_id));
  return layer ? layer->size : 0;
}

const std::vector<ImageRecord>* images_ending_at(const ImagesByTop& by_top,
                                                 const std::vector<std::string>& diff_ids,
                                                 size_t count) {
  auto it = by_top.find(chain_key(diff_ids, count));
  return it == by_top.end() ? nullptr : &it->second;
}

Status insert_chain(Engine& engine, const ImagesByTop& by_top,
                    const std::vector<std::string>& diff_ids, size_t pos,
                    std::vector<TreeLayer>& level) {
  if (pos >= diff_ids.size()) return base::ok();
  auto it = std::find_if(level.begin(), level.end(),
                         [&](const TreeLayer& layer) { return layer.diff_id == diff_ids[pos]; });
  if (it == level.end()) {
    TreeLayer layer;
    layer.diff_id = diff_ids[pos];
    BURROW_TRY(layer.size, layer_size(engine, diff_ids[pos]));
    if (auto* top = images_ending_at(by_top, diff_ids, pos + 1)) layer.top_of = labels_of(*top);
    level.push_back(std::move(layer));
    it = level.end() - 1;
  }
  return insert_chain(engine, by_top, diff_ids, pos + 1, it->children);
}

}  // namespace

Result<std::vector<HistoryRow>> image_history(Engine& engine, const ImageRecord& image) {
  BURROW_TRY(image::ImageConfig config, image::parse_image_config(image.config));
  BURROW_TRY(ImagesByTop by_top, images_by_top_layer(engine));
  const auto& diff_ids = image.diff_ids;
  size_t layers_left = diff_ids.size();
  std::set<std::string> used_ids = {image.id};
  std::vector<HistoryRow> rows;
  for (size_t x = config.history.size(); x-- > 0;) {
    const auto& entry = config.history[x];
    HistoryRow row;
    if (x + 1 == config.history.size()) row.id = image.id;
    if (auto time = image::parse_rfc3339(entry.created)) row.created = time->seconds;
    row.created_by = entry.created_by;
    row.comment = entry.comment;
    if (layers_left > 0) {
      if (!entry.empty_layer) {
        BURROW_TRY(row.size, layer_size(engine, diff_ids[layers_left - 1]));
      }
      if (auto* top = images_ending_at(by_top, diff_ids, layers_left)) {
        if (row.id.empty() && used_ids.insert(top->front().id).second) row.id = top->front().id;
        for (const auto& other : *top)
          for (const auto& name : other.names) row.tags.push_back(name);
      }
      if (!entry.empty_layer) --layers_left;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<TreeLayer>> image_layers(Engine& engine, const ImageRecord& image) {
  BURROW_TRY(ImagesByTop by_top, images_by_top_layer(engine));
  std::vector<TreeLayer> layers;
  for (size_t i = 0; i < image.diff_ids.size(); ++i) {
    TreeLayer layer;
    layer.diff_id = image.diff_ids[i];
    BURROW_TRY(layer.size, layer_size(engine, layer.diff_id));
    if (auto* top = images_ending_at(by_top, image.diff_ids, i + 1)) layer.top_of = labels_of(*top);
    layers.push_back(std::move(layer));
  }
  return layers;
}

Result<std::vector<TreeLayer>> dependent_layers(Engine& engine, const ImageRecord& image) {
  BURROW_TRY(ImagesByTop by_top, images_by_top_layer(engine));
  const auto& base_ids = image.diff_ids;
  std::vector<TreeLayer> roots;
  for (const auto& [key, images] : by_top) {
    const auto& ids = images.front().diff_ids;
    if (ids.size() <= base_ids.size() || !std::equal(base_ids.begin(), base_ids.end(), ids.begin()))
      continue;
    BURROW_CHECK(insert_chain(engine, by_top, ids, base_ids.size(), roots));
  }
  return roots;
}

}  // namespace burrow::engine

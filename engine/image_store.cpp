#include "engine/image_store.h"

#include <ctime>

namespace burrow::engine {
namespace {

constexpr const char* kImageColumns = "id, config, manifest, digest, created, added, size";

ImageRecord read_image_row(const Statement& row) {
  ImageRecord image;
  image.id = row.text(0);
  image.config = row.text(1);
  if (!row.is_null(2)) image.manifest = row.text(2);
  if (!row.is_null(3)) image.digest = row.text(3);
  image.created = row.integer(4);
  image.added = row.integer(5);
  image.size = row.integer(6);
  return image;
}

}  // namespace

Status ImageStore::add(const ImageRecord& image, const std::vector<LayerRecord>& layers) {
  return db_.transaction([&]() -> Status {
    for (const auto& layer : layers) {
      BURROW_TRY(auto insert, db_.prepare("INSERT OR IGNORE INTO layers(diff_id, blob_digest, "
                                          "media_type, size) VALUES(?,?,?,?)"));
      BURROW_CHECK(insert.bind(1, layer.diff_id)
                       .bind(2, layer.blob_digest)
                       .bind(3, layer.media_type)
                       .bind(4, layer.size)
                       .run());
    }
    BURROW_TRY(auto insert, db_.prepare("INSERT OR IGNORE INTO images(id, config, manifest, "
                                        "digest, created, added, size) VALUES(?,?,?,?,?,?,?)"));
    BURROW_CHECK(insert.bind(1, image.id)
                     .bind(2, image.config)
                     .bind_optional(3, image.manifest)
                     .bind_optional(4, image.digest)
                     .bind(5, image.created)
                     .bind(6, image.added ? image.added : static_cast<int64_t>(::time(nullptr)))
                     .bind(7, image.size)
                     .run());
    bool inserted = db_.changes() > 0;
    for (size_t i = 0; inserted && i < image.diff_ids.size(); ++i) {
      BURROW_TRY(
          auto link,
          db_.prepare("INSERT INTO image_layers(image_id, position, diff_id) VALUES(?,?,?)"));
      BURROW_CHECK(
          link.bind(1, image.id).bind(2, static_cast<int64_t>(i)).bind(3, image.diff_ids[i]).run());
    }
    for (const auto& name : image.names) BURROW_CHECK(tag(image.id, name));
    return base::ok();
  });
}

Status ImageStore::load_names_and_layers(ImageRecord& image) {
  BURROW_TRY(auto names,
             db_.prepare("SELECT name FROM image_names WHERE image_id=? ORDER BY rowid"));
  names.bind(1, image.id);
  for (;;) {
    BURROW_TRY(bool row, names.step());
    if (!row) break;
    image.names.push_back(names.text(0));
  }
  BURROW_TRY(auto layers,
             db_.prepare("SELECT diff_id FROM image_layers WHERE image_id=? ORDER BY position"));
  layers.bind(1, image.id);
  for (;;) {
    BURROW_TRY(bool row, layers.step());
    if (!row) break;
    image.diff_ids.push_back(layers.text(0));
  }
  return base::ok();
}

Result<std::vector<ImageRecord>> ImageStore::list() {
  BURROW_TRY(auto query, db_.prepare(std::string("SELECT ") + kImageColumns +
                                     " FROM images ORDER BY added DESC, id"));
  std::vector<ImageRecord> images;
  for (;;) {
    BURROW_TRY(bool row, query.step());
    if (!row) break;
    images.push_back(read_image_row(query));
  }
  for (auto& image : images) BURROW_CHECK(load_names_and_layers(image));
  return images;
}

Result<std::optional<ImageRecord>> ImageStore::find_by_id(const std::string& id) {
  BURROW_TRY(auto query,
             db_.prepare(std::string("SELECT ") + kImageColumns + " FROM images WHERE id=?"));
  query.bind(1, id);
  BURROW_TRY(bool row, query.step());
  if (!row) return std::optional<ImageRecord>();
  ImageRecord image = read_image_row(query);
  BURROW_CHECK(load_names_and_layers(image));
  return std::optional<ImageRecord>(std::move(image));
}

Result<std::vector<std::string>> ImageStore::ids_with_prefix(const std::string& prefix) {
  BURROW_TRY(auto query, db_.prepare("SELECT id FROM images WHERE substr(id, 1, ?) = ?"));
  query.bind(1, static_cast<int64_t>(prefix.size())).bind(2, prefix);
  std::vector<std::string> ids;
  for (;;) {
    BURROW_TRY(bool row, query.step());
    if (!row) break;
    ids.push_back(query.text(0));
  }
  return ids;
}

Result<std::vector<std::pair<std::string, std::string>>> ImageStore::names() {
  BURROW_TRY(auto query, db_.prepare("SELECT name, image_id FROM image_names"));
  std::vector<std::pair<std::string, std::string>> out;
  for (;;) {
    BURROW_TRY(bool row, query.step());
    if (!row) break;
    out.emplace_back(query.text(0), query.text(1));
  }
  return out;
}

Result<std::optional<LayerRecord>> ImageStore::layer(const std::string& diff_id) {
  BURROW_TRY(auto query, db_.prepare("SELECT diff_id, blob_digest, media_type, size FROM layers "
                                     "WHERE diff_id=?"));
  query.bind(1, diff_id);
  BURROW_TRY(bool row, query.step());
  if (!row) return std::optional<LayerRecord>();
  return std::optional<LayerRecord>(
      LayerRecord{query.text(0), query.text(1), query.text(2), query.integer(3)});
}

Status ImageStore::tag(const std::string& id, const std::string& name) {
  BURROW_TRY(auto upsert,
             db_.prepare("INSERT INTO image_names(name, image_id) VALUES(?,?) "
                         "ON CONFLICT(name) DO UPDATE SET image_id=excluded.image_id"));
  return upsert.bind(1, name).bind(2, id).run();
}

Result<bool> ImageStore::untag(const std::string& name) {
  BURROW_TRY(auto del, db_.prepare("DELETE FROM image_names WHERE name=?"));
  BURROW_CHECK(del.bind(1, name).run());
  return db_.changes() > 0;
}

Result<std::vector<LayerRecord>> ImageStore::remove(const std::string& id) {
  std::vector<LayerRecord> orphans;
  BURROW_CHECK(db_.transaction([&]() -> Status {
    BURROW_TRY(auto users, db_.prepare("SELECT name FROM containers WHERE image_id=? LIMIT 1"));
    users.bind(1, id);
    BURROW_TRY(bool used, users.step());
    if (used)
      return base::failf(EBUSY,
                         "image used by container {}: remove the container first or use --force",
                         users.text(0));
    BURROW_TRY(auto del, db_.prepare("DELETE FROM images WHERE id=?"));
    BURROW_CHECK(del.bind(1, id).run());
    // Layers that no image references any more are removed with it.
    BURROW_TRY(auto unused,
               db_.prepare("SELECT diff_id, blob_digest, media_type, size FROM layers WHERE "
                           "diff_id NOT IN (SELECT diff_id FROM image_layers)"));
    for (;;) {
      BURROW_TRY(bool row, unused.step());
      if (!row) break;
      orphans.push_back({unused.text(0), unused.text(1), unused.text(2), unused.integer(3)});
    }
    BURROW_TRY(auto drop, db_.prepare("DELETE FROM layers WHERE diff_id NOT IN "
                                      "(SELECT diff_id FROM image_layers)"));
    return drop.run();
  }));
  return orphans;
}

}  // namespace burrow::engine

// The state database schema, as a list of migrations: entry N takes a
// database from user_version N to N+1. Append; never edit a released entry.
#pragma once

#include <array>
#include <cstdint>

namespace burrow::engine {

inline constexpr std::array kSchemaMigrations = {
    R"sql(
CREATE TABLE images (
  id       TEXT PRIMARY KEY,     -- hex sha256 of the config bytes
  config   BLOB NOT NULL,        -- the exact config bytes
  manifest BLOB,                 -- manifest bytes as loaded, when there was one
  digest   TEXT,                 -- "sha256:..." of the manifest
  created  INTEGER NOT NULL,     -- config "created", seconds since the epoch
  added    INTEGER NOT NULL,
  size     INTEGER NOT NULL      -- unpacked size of all layers
);
CREATE TABLE image_names (
  name     TEXT PRIMARY KEY,     -- full reference: localhost/busybox:latest
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
);
CREATE TABLE layers (
  diff_id     TEXT PRIMARY KEY,  -- "sha256:..." of the uncompressed tar
  blob_digest TEXT NOT NULL,     -- the stored (possibly compressed) blob
  media_type  TEXT NOT NULL,
  size        INTEGER NOT NULL
);
CREATE TABLE image_layers (
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,     -- 0 is the bottom layer
  diff_id  TEXT NOT NULL REFERENCES layers(diff_id),
  PRIMARY KEY (image_id, position)
);
CREATE TABLE containers (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  image_id   TEXT NOT NULL REFERENCES images(id),
  image_name TEXT NOT NULL,
  created    INTEGER NOT NULL,
  state      TEXT NOT NULL,      -- created, running, exited
  config     TEXT NOT NULL,      -- JSON of the create options
  pid        INTEGER,
  exit_code  INTEGER,
  started_at INTEGER,
  finished_at INTEGER
);
)sql",
    // The monitor, the init's start time (a reused pid is not our init) and
    // the restart count.
    R"sql(
ALTER TABLE containers ADD COLUMN monitor_pid INTEGER;
ALTER TABLE containers ADD COLUMN pid_start TEXT;
ALTER TABLE containers ADD COLUMN restarts INTEGER NOT NULL DEFAULT 0;
)sql",
    // Container times in nanoseconds, as Podman shows them.
    R"sql(
UPDATE containers SET created = created * 1000000000,
                      started_at = started_at * 1000000000,
                      finished_at = finished_at * 1000000000;
)sql",
};

inline constexpr int64_t kSchemaVersion = static_cast<int64_t>(kSchemaMigrations.size());

}  // namespace burrow::engine

// The engine: one per command. Owns the host profile, the store paths, the
// state database and the stores over it.
#pragma once

#include <memory>

#include "base/lock.h"
#include "base/result.h"
#include "engine/database.h"
#include "engine/host_profile.h"
#include "engine/image_store.h"
#include "engine/store_paths.h"

namespace burrow::engine {

// Commands that only read state never enter the user namespace: they are
// faster and work even when the keeper cannot be started.
enum class Access { kReadOnly, kModify };

class Engine {
 public:
  // For kModify and a rootless host this joins (or starts) the keeper, so it
  // must run while the process is single-threaded.
  static Result<std::unique_ptr<Engine>> open(const HostProfile& host, const StoreOptions& options,
                                              Access access);

  const HostProfile& host() const { return host_; }
  const StorePaths& paths() const { return paths_; }
  const StoreOptions& options() const { return options_; }
  Database& db() { return db_; }
  ImageStore& images() { return images_; }

  Engine(HostProfile host, StoreOptions options, StorePaths paths, Database db)
      : host_(std::move(host)),
        options_(std::move(options)),
        paths_(std::move(paths)),
        db_(std::move(db)),
        images_(db_) {}

 private:
  HostProfile host_;
  StoreOptions options_;
  StorePaths paths_;
  Database db_;
  ImageStore images_;
};

// Serialises changes to layers and blobs (load, import, rmi, reset).
Result<base::FileLock> lock_storage(const StorePaths& paths);

}  // namespace burrow::engine

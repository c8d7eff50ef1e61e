// `burrow commit`: a new image from a container, its image's layers plus one
// layer of what the container changed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"
#include "image/image_config.h"

namespace burrow::engine {

struct CommitOptions {
  std::optional<std::string> name;   // unnamed when absent
  std::vector<std::string> changes;  // --change "CMD [...]", "ENV A=1", ...
  std::string message;               // the history comment
  std::string author;
  bool pause = true;  // stop the container's processes while its changes are read
};

// Pure: the new image's config. The container's settings (command,
// entrypoint, env, workdir, user, labels, stop signal) override the image's,
// then the --change instructions apply; `diff_id` is appended to the layers
// and a history entry records the commit.
struct CommitSettings {
  std::vector<std::string> command, env, labels;
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::string> workdir, user, stop_signal;
  std::string image_name;  // for the default history comment
};
Result<image::ImageConfig> commit_config(image::ImageConfig base, const CommitSettings& settings,
                                         const CommitOptions& options, const std::string& diff_id,
                                         const std::string& created);

// Returns the new image's id.
Result<std::string> commit_container(Engine& engine, const std::string& reference,
                                     const CommitOptions& options);

}  // namespace burrow::engine

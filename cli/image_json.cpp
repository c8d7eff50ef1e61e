#include "cli/image_json.h"

#include <algorithm>
#include <ctime>

#include "base/file_util.h"
#include "base/strings.h"
#include "image/timestamps.h"

namespace burrow::cli {
namespace {

// "host/repo:tag" -> {"host/repo", "tag"}; a name pulled by digest,
// "host/repo@sha256:...", has no tag.
std::pair<std::string, std::string> split_name(const std::string& name) {
  if (auto at = name.find('@'); at != std::string::npos) return {name.substr(0, at), "<none>"};
  size_t colon = name.rfind(':');
  if (colon == std::string::npos || name.find('/', colon) != std::string::npos)
    return {name, "latest"};
  return {name.substr(0, colon), name.substr(colon + 1)};
}

nlohmann::json image_row(const engine::ImageRecord& image, const std::string& name, bool no_trunc) {
  auto [repository, tag] =
      name.empty() ? std::pair<std::string, std::string>{"<none>", "<none>"} : split_name(name);
  int64_t age = static_cast<int64_t>(::time(nullptr)) - image.created;
  return {{"ID", no_trunc ? "sha256:" + image.id : image.id.substr(0, 12)},
          {"Id", image.id},
          {"Repository", repository},
          {"Tag", tag},
          {"Names", image.names},
          {"Digest", image.digest.value_or("")},
          {"Created", image.created},
          {"CreatedAt", image::format_rfc3339({image.created, 0})},
          {"CreatedSince", base::human_duration_ago(age)},
          {"Size", base::human_size(static_cast<uint64_t>(image.size))},
          {"VirtualSize", image.size}};
}

}  // namespace

std::vector<nlohmann::json> image_rows(const std::vector<engine::ImageRecord>& images,
                                       bool no_trunc) {
  std::vector<nlohmann::json> rows;
  for (const auto& image : images) {
    if (image.names.empty()) rows.push_back(image_row(image, "", no_trunc));
    for (const auto& name : image.names) rows.push_back(image_row(image, name, no_trunc));
  }
  return rows;
}

nlohmann::json inspect_image(const engine::ImageRecord& image, const engine::StorePaths& paths) {
  auto config = nlohmann::json::parse(image.config, nullptr, false);
  if (config.is_discarded() || !config.is_object()) config = nlohmann::json::object();
  auto field = [&](const char* key) { return config.value(key, nlohmann::json()); };
  std::vector<std::string> lower_dirs;
  for (auto it = image.diff_ids.rbegin(); it != image.diff_ids.rend(); ++it)
    lower_dirs.push_back(paths.layer_dir(it->substr(7)));
  std::vector<std::string> repo_digests;
  if (image.digest)
    for (const auto& name : image.names)
      repo_digests.push_back(split_name(name).first + "@" + *image.digest);
  std::sort(repo_digests.begin(), repo_digests.end());
  repo_digests.erase(std::unique(repo_digests.begin(), repo_digests.end()), repo_digests.end());
  nlohmann::json container_config =
      field("config").is_object() ? field("config") : nlohmann::json::object();
  return {
      {"Id", image.id},
      {"Digest", image.digest.value_or("sha256:" + image.id)},
      {"RepoTags", image.names},
      {"RepoDigests", repo_digests},
      {"Parent", ""},
      {"Comment", ""},
      {"Created", config.value("created", image::format_rfc3339({image.created, 0}))},
      {"Config", container_config},
      {"Version", ""},
      {"Author", config.value("author", "")},
      {"Architecture", config.value("architecture", "")},
      {"Os", config.value("os", "")},
      {"Size", image.size},
      {"VirtualSize", image.size},
      {"GraphDriver", {{"Name", "overlay"}, {"Data", {{"LowerDir", base::join(lower_dirs, ":")}}}}},
      {"RootFS", {{"Type", "layers"}, {"Layers", image.diff_ids}}},
      {"Labels", container_config.value("Labels", nlohmann::json())},
      {"Annotations", nlohmann::json::object()},
      {"ManifestType", image.manifest ? "application/vnd.oci.image.manifest.v1+json" : ""},
      {"User", container_config.value("User", "")},
      {"History", field("history").is_array() ? field("history") : nlohmann::json::array()},
      {"NamesHistory", image.names}};
}

}  // namespace burrow::cli

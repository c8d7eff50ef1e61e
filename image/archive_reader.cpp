#include "image/archive_reader.h"

#include <cerrno>

#include "image/archive_internal.h"
#include "image/manifest.h"

namespace burrow::image {

using base::fail;
using base::failf;
using base::Result;

namespace archive_detail {

base::Status check_layers_against_config(const std::vector<ArchiveLayer>& layers,
                                         const ImageConfig& config) {
  const auto& diff_ids = config.rootfs.diff_ids;
  if (layers.size() != diff_ids.size())
    return failf(EINVAL, "the manifest lists {} layers but the config has {} diff_ids",
                 layers.size(), diff_ids.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    auto compression = layer_compression(layers[i].media_type);
    if (compression && *compression == Compression::kNone && layers[i].digest != diff_ids[i])
      return failf(EINVAL, "layer {} ({}) does not match diff_id {} of the config", i,
                   layers[i].digest, diff_ids[i]);
  }
  return base::ok();
}

}  // namespace archive_detail

namespace {

Result<ArchiveContents> read_staged(const archive_detail::StagedArchive& staged) {
  // Docker 25+ writes both manifest.json and an OCI layout; manifest.json is
  // preferred because only it carries the full names (RepoTags).
  if (staged.contains("manifest.json")) {
    auto contents = archive_detail::read_docker_archive(staged);
    if (!contents) return tl::unexpected(contents.error().with_context("reading docker-archive"));
    return contents;
  }
  if (staged.contains("index.json")) {
    auto contents = archive_detail::read_oci_archive(staged);
    if (!contents) return tl::unexpected(contents.error().with_context("reading oci-archive"));
    return contents;
  }
  if (staged.contains("repositories"))
    return fail(
        EINVAL,
        "legacy docker-archive (a repositories file but no manifest.json) is not supported");
  return fail(EINVAL, "not a docker-archive or oci-archive (no manifest.json or index.json)");
}

}  // namespace

Result<ArchiveContents> read_image_archive(int fd, const std::string& staging_dir) {
  BURROW_TRY(archive_detail::StagedArchive staged, archive_detail::stage_archive(fd, staging_dir));
  return read_staged(staged);
}

Result<ArchiveContents> read_image_directory(const std::string& dir,
                                             const std::string& staging_dir) {
  BURROW_TRY(archive_detail::StagedArchive staged,
             archive_detail::stage_directory(dir, staging_dir));
  return read_staged(staged);
}

}  // namespace burrow::image

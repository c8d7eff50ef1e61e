// Internal to the archive reader: the staged members of an image archive,
// safe lookups by the names manifests use, and the two format readers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "image/archive_reader.h"
#include "image/image_config.h"

namespace burrow::image::archive_detail {

// manifest.json, index.json and configs are read into memory; a hostile
// archive must not be able to make that unbounded.
inline constexpr size_t kMaxJsonSize = 16 << 20;

struct StagedMember {
  std::string path;    // file inside the staging directory
  std::string digest;  // "sha256:<hex>"
  int64_t size = 0;
};

// A member name in canonical form ("a/b", no "." or empty components), or an
// error for names that are absolute, climb with "..", or hold control
// characters or backslashes. "./" and "" become "".
base::Result<std::string> normalize_member_name(std::string_view name);

class StagedArchive {
 public:
  // Looks a member up by the name a manifest uses (normalised the same way),
  // following in-archive symbolic links lexically. Errors name `name`.
  base::Result<const StagedMember*> find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name).has_value(); }
  // find() then reads at most kMaxJsonSize bytes.
  base::Result<std::string> read_small(std::string_view name) const;
  // Checks every "blobs/sha256/<hex>" member against its name. Both formats
  // may hold an OCI blob directory (docker 25+ writes one beside manifest.json).
  base::Status verify_blob_names() const;

  // Keyed by canonical member name.
  std::map<std::string, StagedMember> members;
  std::map<std::string, std::string> symlinks;  // canonical name -> target as written
};

// Streams the tar from `fd`; regular files become staging_dir/mNNNNNN.
base::Result<StagedArchive> stage_archive(int fd, const std::string& staging_dir);
// The same for a directory holding the members (`save --format oci-dir`):
// its files are copied into staging_dir, its symlinks recorded, never followed.
base::Result<StagedArchive> stage_directory(const std::string& dir, const std::string& staging_dir);

// Compression sniffed from a staged layer's first bytes, as an OCI layer
// media type; an error for xz/bzip2 layers, which burrow does not unpack.
base::Result<std::string> sniff_layer_media_type(const std::string& path);

// Each reads the staged set; the caller has checked which index file exists.
base::Result<ArchiveContents> read_docker_archive(const StagedArchive& archive);
base::Result<ArchiveContents> read_oci_archive(const StagedArchive& archive);

// Checks that the layers match the config's diff_ids in number, and that an
// uncompressed layer's digest is its diff_id (nothing else can be checked
// before unpacking).
base::Status check_layers_against_config(const std::vector<ArchiveLayer>& layers,
                                         const ImageConfig& config);

}  // namespace burrow::image::archive_detail

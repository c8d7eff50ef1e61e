// Runs in the CLI process. `save` first picks the images and opens every
// blob it will write while holding the storage lock (converting layers whose
// stored compression the format does not take), then drops the lock and
// writes: a tar to a stream or a temporary file, or a layout directory.
#include "engine/image_save.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/digest.h"
#include "base/file_util.h"
#include "base/scope_exit.h"
#include "engine/events.h"
#include "engine/image_resolve.h"
#include "engine/image_save_layout.h"
#include "engine/scratch_dir.h"
#include "image/manifest.h"
#include "storage-fuse/blob_store.h"

namespace burrow::engine {
namespace {

using OrderedJson = nlohmann::ordered_json;

struct SavedImage {
  ImageRecord record;
  std::vector<std::string> tags;  // full references: RepoTags, or the OCI ref name
};

// The stored name `input` refers to, when it is a name rather than an id.
std::optional<std::string> referred_name(const ImageRecord& image, const std::string& input) {
  auto ref = image::parse_reference(input);
  if (!ref) return std::nullopt;
  for (const auto& name : image.names)
    if (reference_names(*ref, name)) return name;
  return std::nullopt;
}

void add_tag(SavedImage& image, const std::string& tag) {
  // Digest references ("repo@sha256:...") are not tags a docker-archive can carry.
  if (tag.find('@') != std::string::npos) return;
  for (const auto& existing : image.tags)
    if (existing == tag) return;
  image.tags.push_back(tag);
}

Result<SavedImage> resolve_saved(Engine& engine, const std::string& input) {
  BURROW_TRY(ImageRecord record, resolve_image(engine.images(), input));
  SavedImage saved{std::move(record), {}};
  if (auto name = referred_name(saved.record, input)) add_tag(saved, *name);
  return saved;
}

// Podman's reading of IMAGE...: with -m each is an image (the same image
// twice gets both names); without, the others are extra tags of the first,
// which only a docker-archive can hold.
Result<std::vector<SavedImage>> select_images(Engine& engine, const SaveOptions& options) {
  if (options.images.empty()) return base::fail(EINVAL, "save requires at least one image");
  bool docker = options.format == SaveFormat::kDockerArchive;
  if (options.multi_image && !docker)
    return base::fail(EINVAL,
                      "--multi-image-archive is only supported with --format docker-archive");
  if (!options.multi_image) {
    if (options.images.size() > 1 && !docker)
      return base::fail(EINVAL,
                        "only one image can be saved in this format: additional names are tags, "
                        "which only docker-archive can hold (use -m to save several images)");
    BURROW_TRY(SavedImage saved, resolve_saved(engine, options.images[0]));
    for (size_t i = 1; i < options.images.size(); ++i) {
      BURROW_TRY(std::string tag, normalize_new_name(options.images[i]));
      add_tag(saved, tag);
    }
    return std::vector<SavedImage>{std::move(saved)};
  }
  std::vector<SavedImage> images;
  for (const auto& input : options.images) {
    BURROW_TRY(SavedImage saved, resolve_saved(engine, input));
    auto same = std::find_if(images.begin(), images.end(), [&](const SavedImage& other) {
      return other.record.id == saved.record.id;
    });
    if (same == images.end()) {
      images.push_back(std::move(saved));
    } else {
      for (const auto& tag : saved.tags) add_tag(*same, tag);
    }
  }
  return images;
}

std::pair<std::string, std::string> split_repo_tag(const std::string& name) {
  size_t colon = name.rfind(':');
  if (colon == std::string::npos || name.find('/', colon) != std::string::npos)
    return {name, "latest"};
  return {name.substr(0, colon), name.substr(colon + 1)};
}

// A layer as it goes into the output: its member name, content and descriptor.
struct WrittenLayer {
  std::string digest;
  std::string media_type;
  int64_t size = 0;
};

// Collects the members of one archive, opening blobs under the storage lock.
class LayoutBuilder {
 public:
  LayoutBuilder(Engine& engine, const SaveOptions& options, std::string scratch)
      : engine_(engine),
        options_(options),
        blobs_(engine.paths().blobs()),
        scratch_(std::move(scratch)) {}

  Status add_images(const std::vector<SavedImage>& images) {
    for (const auto& image : images) {
      if (base::sha256_hex(image.record.config) != image.record.id)
        return base::failf(EIO, "image {}: the stored config does not match the image ID",
                           image.record.id.substr(0, 12));
      if (options_.format == SaveFormat::kDockerArchive) {
        BURROW_CHECK(add_docker_image(image));
      } else {
        BURROW_CHECK(add_oci_image(image));
      }
    }
    if (options_.format == SaveFormat::kDockerArchive) {
      add_bytes("manifest.json", docker_manifest_.dump());
      if (!repositories_.empty()) add_bytes("repositories", repositories_.dump());
    } else {
      add_bytes("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
      add_bytes("index.json", image::serialize_image_index(index_));
    }
    return base::ok();
  }

  std::vector<LayoutMember> take() { return std::move(members_); }

 private:
  Status add_docker_image(const SavedImage& image) {
    OrderedJson layers = OrderedJson::array();
    for (const auto& diff_id : image.record.diff_ids) {
      BURROW_TRY(LayerRecord layer, stored_layer(diff_id));
      std::string name = diff_id.substr(7) + ".tar";
      BURROW_CHECK(add_uncompressed_layer(layer, name));
      layers.push_back(name);
    }
    std::string config_name = image.record.id + ".json";
    if (!added_.count(config_name)) add_bytes(config_name, image.record.config);
    docker_manifest_.push_back(
        {{"Config", config_name}, {"RepoTags", image.tags}, {"Layers", std::move(layers)}});
    // The legacy index older `docker load` reads: repository -> tag -> top layer.
    if (!image.record.diff_ids.empty())
      for (const auto& tag : image.tags) {
        auto [repository, version] = split_repo_tag(tag);
        repositories_[repository][version] = image.record.diff_ids.back().substr(7);
      }
    return base::ok();
  }

  Status add_oci_image(const SavedImage& image) {
    std::vector<image::Descriptor> layers;
    for (const auto& diff_id : image.record.diff_ids) {
      BURROW_TRY(LayerRecord layer, stored_layer(diff_id));
      BURROW_TRY(WrittenLayer written, add_oci_layer(layer));
      layers.push_back({written.media_type, written.digest, written.size, {}, {}, {}});
    }
    std::string config_digest = "sha256:" + image.record.id;
    add_blob(config_digest, image.record.config);
    std::string manifest = oci_manifest(image.record, layers);
    std::string manifest_digest = base::sha256_digest(manifest);
    add_blob(manifest_digest, manifest);
    image::Descriptor entry{std::string(image::media_type::kOciManifest),
                            manifest_digest,
                            static_cast<int64_t>(manifest.size()),
                            {},
                            {},
                            {}};
    if (!image.tags.empty())
      entry.annotations[std::string(image::kRefNameAnnotation)] = image.tags[0];
    index_.manifests.push_back(std::move(entry));
    return base::ok();
  }

  // The stored manifest when it is an OCI manifest naming exactly these
  // blobs (so the image keeps its digest), else a new one.
  static std::string oci_manifest(const ImageRecord& record,
                                  const std::vector<image::Descriptor>& layers) {
    image::Manifest manifest;
    manifest.media_type = std::string(image::media_type::kOciManifest);
    manifest.config = {std::string(image::media_type::kOciConfig),
                       "sha256:" + record.id,
                       static_cast<int64_t>(record.config.size()),
                       {},
                       {},
                       {}};
    manifest.layers = layers;
    if (record.manifest) {
      auto type = image::detect_manifest_media_type(*record.manifest);
      auto stored = image::parse_manifest(*record.manifest);
      if (type && *type == image::media_type::kOciManifest && stored &&
          stored->config.digest == manifest.config.digest &&
          same_blobs(stored->layers, manifest.layers))
        return *record.manifest;
    }
    return image::serialize_manifest(manifest);
  }

  static bool same_blobs(const std::vector<image::Descriptor>& a,
                         const std::vector<image::Descriptor>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].digest != b[i].digest || a[i].media_type != b[i].media_type) return false;
    return true;
  }

  Result<LayerRecord> stored_layer(const std::string& diff_id) {
    BURROW_TRY(auto layer, engine_.images().layer(diff_id));
    if (!layer) return base::failf(ENOENT, "layer {} is missing from the image store", diff_id);
    return *layer;
  }

  Result<base::UniqueFd> open_blob(const std::string& digest, int64_t& size) {
    BURROW_TRY(std::string path, blobs_.path(digest));
    base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd)
      return base::fail_errno(
          "opening layer blob {} (the original blob is needed to save the image)", digest);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return base::fail_errno("reading layer blob {}", digest);
    size = st.st_size;
    return fd;
  }

  std::string scratch_path() { return base::path_join(scratch_, fmt::format("c{}", ++converted_)); }

  // The layer as its uncompressed tar, whose digest must be the diff_id.
  Status add_uncompressed_layer(const LayerRecord& layer, const std::string& name) {
    if (added_.count(name)) return base::ok();
    BURROW_TRY(image::Compression compression, image::layer_compression(layer.media_type));
    int64_t size = 0;
    BURROW_TRY(base::UniqueFd blob, open_blob(layer.blob_digest, size));
    if (compression == image::Compression::kNone) {
      if (layer.blob_digest != layer.diff_id)
        return base::failf(EIO, "layer blob {} does not match its diff_id {}", layer.blob_digest,
                           layer.diff_id);
      add_file(name, std::move(blob), size);
      return base::ok();
    }
    auto plain = decompress_layer(blob.get(), scratch_path());
    if (!plain) return tl::unexpected(plain.error().with_context("layer " + layer.diff_id));
    if (plain->digest != layer.diff_id)
      return base::failf(EIO, "layer blob {} decompresses to {}, not its diff_id {}",
                         layer.blob_digest, plain->digest, layer.diff_id);
    add_file(name, std::move(plain->file), plain->size);
    return base::ok();
  }

  // gzip (or the stored zstd) by default, as Podman writes OCI layers;
  // uncompressed with --uncompressed.
  Result<WrittenLayer> add_oci_layer(const LayerRecord& layer) {
    BURROW_TRY(image::Compression compression, image::layer_compression(layer.media_type));
    if (options_.uncompressed) {
      BURROW_CHECK(add_uncompressed_layer(layer, blob_name(layer.diff_id)));
      return WrittenLayer{layer.diff_id, std::string(image::media_type::kOciLayer),
                          member_size(blob_name(layer.diff_id))};
    }
    if (compression != image::Compression::kNone) {
      std::string type(compression == image::Compression::kGzip ? image::media_type::kOciLayerGzip
                                                                : image::media_type::kOciLayerZstd);
      std::string name = blob_name(layer.blob_digest);
      if (!added_.count(name)) {
        int64_t size = 0;
        BURROW_TRY(base::UniqueFd blob, open_blob(layer.blob_digest, size));
        add_file(name, std::move(blob), size);
      }
      return WrittenLayer{layer.blob_digest, type, member_size(name)};
    }
    int64_t size = 0;
    BURROW_TRY(base::UniqueFd blob, open_blob(layer.blob_digest, size));
    auto packed = gzip_layer(blob.get(), size, scratch_path());
    if (!packed) return tl::unexpected(packed.error().with_context("layer " + layer.diff_id));
    WrittenLayer written{packed->digest, std::string(image::media_type::kOciLayerGzip),
                         packed->size};
    std::string name = blob_name(packed->digest);
    if (!added_.count(name)) add_file(name, std::move(packed->file), packed->size);
    return written;
  }

  static std::string blob_name(const std::string& digest) {
    return "blobs/sha256/" + digest.substr(7);
  }

  int64_t member_size(const std::string& name) const {
    for (const auto& member : members_)
      if (member.name == name)
        return member.file ? member.size : static_cast<int64_t>(member.bytes.size());
    return 0;
  }

  void add_blob(const std::string& digest, const std::string& bytes) {
    std::string name = blob_name(digest);
    if (!added_.count(name)) add_bytes(name, bytes);
  }

  void add_bytes(const std::string& name, std::string bytes) {
    added_.insert(name);
    LayoutMember member;
    member.name = name;
    member.bytes = std::move(bytes);
    members_.push_back(std::move(member));
  }

  void add_file(const std::string& name, base::UniqueFd fd, int64_t size) {
    added_.insert(name);
    LayoutMember member;
    member.name = name;
    member.file = std::move(fd);
    member.size = size;
    members_.push_back(std::move(member));
  }

  Engine& engine_;
  const SaveOptions& options_;
  storage::BlobStore blobs_;
  std::string scratch_;
  int converted_ = 0;
  std::vector<LayoutMember> members_;
  std::set<std::string> added_;
  OrderedJson docker_manifest_ = OrderedJson::array();
  OrderedJson repositories_ = OrderedJson::object();
  image::ImageIndex index_{std::string(image::media_type::kOciIndex), {}, {}};
};

struct PreparedSave {
  std::vector<SavedImage> images;
  std::vector<LayoutMember> members;
};

// Everything is opened (and converted) under the storage lock, then the lock
// is released: open descriptors keep the blobs readable even if `rmi` runs
// meanwhile. The scratch files are unlinked at once for the same reason.
Result<PreparedSave> prepare(Engine& engine, const SaveOptions& options) {
  BURROW_TRY(auto lock, lock_storage(engine.paths()));
  PreparedSave prepared;
  BURROW_TRY(prepared.images, select_images(engine, options));
  sweep_scratch_dirs(engine.paths().tmp(), "save-");
  BURROW_TRY(std::string scratch, make_scratch_dir(engine.paths().tmp(), "save-"));
  base::ScopeExit remove_scratch([&] { (void)base::remove_tree(scratch); });
  LayoutBuilder builder(engine, options, scratch);
  BURROW_CHECK(builder.add_images(prepared.images));
  prepared.members = builder.take();
  return prepared;
}

void record_saved(Engine& engine, const std::vector<SavedImage>& images) {
  for (const auto& image : images)
    record_image_event(engine.paths(), "save", image.record.id,
                       image.tags.empty() ? "" : image.tags.front());
}

std::pair<std::string, std::string> split_path(const std::string& path) {
  std::filesystem::path p(path);
  std::string parent = p.parent_path().string();
  return {parent.empty() ? "." : parent, p.filename().string()};
}

// What open(2) or mkdir(2) would have made: mkostemp and mkdtemp use 0600/0700.
mode_t with_umask(mode_t mode) {
  mode_t mask = ::umask(0);
  ::umask(mask);
  return mode & ~mask;
}

Status write_archive_file(const std::vector<LayoutMember>& members, const std::string& path) {
  if (base::is_directory(path))
    return base::failf(EISDIR, "{} is a directory: give a file name for the archive", path);
  auto [parent, name] = split_path(path);
  std::string temp = base::path_join(parent, "." + name + ".tmp-XXXXXX");
  base::UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (!fd) return base::fail_errno("creating a temporary file beside {}", path);
  base::ScopeExit remove_temp([&] { ::unlink(temp.c_str()); });
  BURROW_CHECK(write_layout_tar(members, fd.get()));
  if (::fchmod(fd.get(), with_umask(0666)) != 0 || ::fsync(fd.get()) != 0)
    return base::fail_errno("writing {}", path);
  if (::rename(temp.c_str(), path.c_str()) != 0) return base::fail_errno("creating {}", path);
  remove_temp.dismiss();
  return base::ok();
}

Status write_layout_directory(const std::vector<LayoutMember>& members, const std::string& path) {
  auto [parent, name] = split_path(path);
  if (name.empty() || name == "." || name == "..")
    return base::failf(EINVAL, "{} cannot be created as the layout directory", path);
  BURROW_TRY(std::string temp, base::make_temp_dir(parent, "." + name + ".tmp-"));
  base::ScopeExit remove_temp([&] { (void)base::remove_tree(temp); });
  BURROW_CHECK(write_layout_dir(members, temp));
  if (::chmod(temp.c_str(), with_umask(0777)) != 0) return base::fail_errno("writing {}", path);
  // rename(2) replaces only an empty directory: anything else stays untouched.
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    if (errno == ENOTEMPTY || errno == EEXIST)
      return base::failf(EEXIST,
                         "{} already exists and is not empty: remove it or choose another "
                         "path",
                         path);
    return base::fail_errno("creating {}", path);
  }
  remove_temp.dismiss();
  return base::ok();
}

}  // namespace

Result<SaveFormat> parse_save_format(std::string_view name) {
  if (name == "docker-archive") return SaveFormat::kDockerArchive;
  if (name == "oci-archive") return SaveFormat::kOciArchive;
  if (name == "oci-dir") return SaveFormat::kOciDir;
  return base::failf(EINVAL,
                     "unsupported format \"{}\": use docker-archive, oci-archive or oci-dir", name);
}

Status save_images_to_fd(Engine& engine, const SaveOptions& options, int out_fd) {
  if (options.format == SaveFormat::kOciDir)
    return base::fail(EINVAL, "--format oci-dir writes a directory: give it with -o DIR");
  BURROW_TRY(PreparedSave prepared, prepare(engine, options));
  BURROW_CHECK(write_layout_tar(prepared.members, out_fd));
  record_saved(engine, prepared.images);
  return base::ok();
}

Status save_images_to_path(Engine& engine, const SaveOptions& options, const std::string& path) {
  if (path.empty()) return base::fail(EINVAL, "the output path is empty");
  BURROW_TRY(PreparedSave prepared, prepare(engine, options));
  if (options.format == SaveFormat::kOciDir) {
    BURROW_CHECK(write_layout_directory(prepared.members, path));
  } else {
    BURROW_CHECK(write_archive_file(prepared.members, path));
  }
  record_saved(engine, prepared.images);
  return base::ok();
}

}  // namespace burrow::engine

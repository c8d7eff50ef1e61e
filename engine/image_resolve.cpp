#include "engine/image_resolve.h"

#include "base/strings.h"
#include "image/reference.h"

namespace burrow::engine {
namespace {

Result<std::optional<ImageRecord>> by_id_prefix(ImageStore& store, std::string_view input) {
  std::string prefix(input);
  bool explicit_id = base::starts_with(prefix, "sha256:");
  if (explicit_id) prefix = prefix.substr(7);
  if (!image::looks_like_id_prefix(prefix)) return std::optional<ImageRecord>();
  BURROW_TRY(auto ids, store.ids_with_prefix(prefix));
  if (ids.size() > 1)
    return base::failf(EINVAL, "image id prefix {} is ambiguous: give more digits", prefix);
  if (ids.empty()) return std::optional<ImageRecord>();
  return store.find_by_id(ids.front());
}

// Podman prefers an image in localhost/ for a short name, then any match.
int short_name_rank(const std::string& stored) {
  return base::starts_with(stored, "localhost/") ? 0 : 1;
}

Result<std::optional<std::string>> by_name(ImageStore& store, const image::Reference& ref) {
  BURROW_TRY(auto names, store.names());
  std::optional<std::string> found;
  int best = 2;
  for (const auto& [name, id] : names) {
    if (reference_names(ref, name) && short_name_rank(name) < best) {
      best = short_name_rank(name);
      found = id;
    }
  }
  return found;
}

}  // namespace

bool reference_names(const image::Reference& ref, const std::string& stored) {
  return ref.is_short_name() ? image::short_name_matches(ref, stored) : stored == ref.to_string();
}

Result<ImageRecord> resolve_image(ImageStore& store, const std::string& input) {
  BURROW_TRY(auto by_id, by_id_prefix(store, input));
  if (by_id) return std::move(*by_id);
  auto ref = image::parse_reference(input);
  if (!ref) return tl::unexpected(ref.error());
  BURROW_TRY(auto id, by_name(store, *ref));
  if (id) {
    BURROW_TRY(auto image, store.find_by_id(*id));
    if (image) return std::move(*image);
  }
  return base::failf(ENOENT, "{}: image not known", input);
}

Result<std::string> normalize_new_name(const std::string& input) {
  BURROW_TRY(image::Reference ref, image::parse_reference(input));
  if (!ref.digest.empty())
    return base::failf(EINVAL, "{}: a name for a local image cannot contain a digest", input);
  return ref.qualified(image::kLocalDomain).to_string();
}

}  // namespace burrow::engine

#include "image/json_fields.h"

#include <cerrno>

namespace burrow::image::json_fields {

using base::fail;
using base::failf;

Result<Json> parse_object(std::string_view text, std::string_view what) {
  Json doc;
  try {
    doc = Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    return failf(EINVAL, "parsing {}: invalid JSON: {}", what, e.what());
  }
  if (!doc.is_object()) return failf(EINVAL, "parsing {}: expected a JSON object", what);
  return doc;
}

std::string field_name(std::string_view where, std::string_view key) {
  if (where.empty()) return std::string(key);
  return fmt::format("{}.{}", where, key);
}

const Json* find(const Json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

namespace {

tl::unexpected<base::Error> wrong_type(std::string_view where, std::string_view key,
                                       std::string_view expected) {
  return failf(EINVAL, "field \"{}\" must be {}", field_name(where, key), expected);
}

tl::unexpected<base::Error> missing(std::string_view where, std::string_view key) {
  return failf(EINVAL, "required field \"{}\" is missing", field_name(where, key));
}

}  // namespace

Result<std::string> get_string(const Json& object, std::string_view key, std::string_view where,
                               bool required) {
  const Json* value = find(object, key);
  if (!value) {
    if (required) return missing(where, key);
    return std::string();
  }
  if (!value->is_string()) return wrong_type(where, key, "a string");
  return value->get<std::string>();
}

Result<int64_t> get_int64(const Json& object, std::string_view key, std::string_view where,
                          bool required) {
  const Json* value = find(object, key);
  if (!value) {
    if (required) return missing(where, key);
    return 0;
  }
  // is_number_integer covers both signed and unsigned; unsigned values past
  // INT64_MAX would wrap, so they are refused.
  if (value->is_number_unsigned()) {
    auto u = value->get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return wrong_type(where, key, "a 64-bit integer");
    return static_cast<int64_t>(u);
  }
  if (!value->is_number_integer()) return wrong_type(where, key, "an integer");
  return value->get<int64_t>();
}

Result<bool> get_bool(const Json& object, std::string_view key, std::string_view where) {
  const Json* value = find(object, key);
  if (!value) return false;
  if (!value->is_boolean()) return wrong_type(where, key, "a boolean");
  return value->get<bool>();
}

Result<std::vector<std::string>> get_string_array(const Json& object, std::string_view key,
                                                  std::string_view where) {
  std::vector<std::string> out;
  const Json* value = find(object, key);
  if (!value) return out;
  if (!value->is_array()) return wrong_type(where, key, "an array of strings");
  for (const auto& item : *value) {
    if (!item.is_string()) return wrong_type(where, key, "an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> get_string_map(const Json& object, std::string_view key,
                                                          std::string_view where) {
  std::map<std::string, std::string> out;
  const Json* value = find(object, key);
  if (!value) return out;
  if (!value->is_object()) return wrong_type(where, key, "an object of strings");
  for (const auto& [name, item] : value->items()) {
    if (!item.is_string()) return wrong_type(where, key, "an object of strings");
    out.emplace(name, item.get<std::string>());
  }
  return out;
}

Result<std::vector<std::string>> get_object_keys(const Json& object, std::string_view key,
                                                 std::string_view where) {
  std::vector<std::string> out;
  const Json* value = find(object, key);
  if (!value) return out;
  if (!value->is_object()) return wrong_type(where, key, "an object");
  for (const auto& [name, item] : value->items()) out.push_back(name);
  return out;
}

}  // namespace burrow::image::json_fields

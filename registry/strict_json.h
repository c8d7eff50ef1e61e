// Strict JSON for policy.json and signature payloads: containers-policy.json(5)
// and containers-signature(5) both require rejecting duplicated and unknown
// fields, which nlohmann::json would silently accept (the last duplicate
// wins). Internal to the registry module.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace burrow::registry::strict_json {

using Json = nlohmann::json;

// Parses `text` as one JSON object; a duplicated key anywhere is an error.
inline base::Result<Json> parse_object(std::string_view text) {
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  auto track_keys = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) open_objects.emplace_back();
    if (event == Json::parse_event_t::object_end && !open_objects.empty()) open_objects.pop_back();
    if (event == Json::parse_event_t::key && !open_objects.empty() && duplicate.empty() &&
        !open_objects.back().insert(parsed.get<std::string>()).second) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  Json doc;
  try {
    doc = Json::parse(text.begin(), text.end(), track_keys);
  } catch (const Json::exception& e) {
    return base::failf(EINVAL, "invalid JSON: {}", e.what());
  }
  if (!duplicate.empty()) return base::failf(EINVAL, "duplicated field \"{}\"", duplicate);
  if (!doc.is_object()) return base::fail(EINVAL, "expected a JSON object");
  return doc;
}

// Fails naming the first key of `object` that is not in `allowed`.
inline base::Status only_fields(const Json& object, std::initializer_list<std::string_view> allowed,
                                std::string_view where) {
  for (const auto& item : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end())
      return base::failf(EINVAL, "{}: unknown field \"{}\"", where, item.key());
  }
  return base::ok();
}

// The string member `key`; required ones must be present, all must be strings.
inline base::Result<std::string> string_field(const Json& object, std::string_view key,
                                              std::string_view where, bool required) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) return base::failf(EINVAL, "{}: field \"{}\" is missing", where, key);
    return std::string();
  }
  if (!it->is_string()) return base::failf(EINVAL, "{}: field \"{}\" must be a string", where, key);
  return it->get<std::string>();
}

}  // namespace burrow::registry::strict_json

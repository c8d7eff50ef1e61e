// Typed access to fields of untrusted JSON documents (configs, manifests,
// indexes). nlohmann::json throws on type mismatches; these helpers check
// first and return an Error that names the field, so no exception leaves the
// parsing edge.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace burrow::image::json_fields {

using Json = nlohmann::json;
using base::Result;

// Parses `text`; `what` names the document in the error ("image config").
Result<Json> parse_object(std::string_view text, std::string_view what);

// "config.Env" from ("config", "Env"); `where` may be empty.
std::string field_name(std::string_view where, std::string_view key);

// The field, or nullptr when it is missing or JSON null (optional fields are
// written as null by some tools).
const Json* find(const Json& object, std::string_view key);

Result<std::string> get_string(const Json& object, std::string_view key, std::string_view where,
                               bool required = false);
Result<int64_t> get_int64(const Json& object, std::string_view key, std::string_view where,
                          bool required = false);
Result<bool> get_bool(const Json& object, std::string_view key, std::string_view where);
Result<std::vector<std::string>> get_string_array(const Json& object, std::string_view key,
                                                  std::string_view where);
Result<std::map<std::string, std::string>> get_string_map(const Json& object, std::string_view key,
                                                          std::string_view where);
// The keys of an object field such as ExposedPorts {"80/tcp": {}}.
Result<std::vector<std::string>> get_object_keys(const Json& object, std::string_view key,
                                                 std::string_view where);

}  // namespace burrow::image::json_fields

// Standard base64 (RFC 4648, with padding), as auth.json and HTTP Basic
// authentication use it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace burrow::base {

std::string base64_encode(std::string_view data);
// nullopt for anything that is not valid padded base64; whitespace is not
// allowed.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace burrow::base

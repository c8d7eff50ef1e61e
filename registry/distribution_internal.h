// Helpers the distribution client's source files share; not for other modules.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "registry/distribution_client.h"

namespace burrow::registry::internal {

inline constexpr int kAttempts = 4;

inline bool ok_status(long status) { return status >= 200 && status < 300; }
// Percent-encodes a query value.
std::string escape(std::string_view text);
std::string scope_for(const std::string& repository, Access access);
// Waits before attempt `attempt` + 1: 0.2 s, 0.6 s, 1.8 s.
void back_off(int attempt);
// An error for a failed response: ENOENT for 404, EACCES for 401/403.
base::Error failure(const HttpResponse& response, std::string_view what);
std::string with_query(const std::string& location, std::string_view query);

}  // namespace burrow::registry::internal

// WWW-Authenticate challenges (RFC 7235) as registries send them:
//   Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"
//   Basic realm="Registry Realm"
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace burrow::registry {

struct Challenge {
  std::string scheme;                         // lower case: "basic", "bearer"
  std::map<std::string, std::string> params;  // names in lower case, values unquoted
};

// Every challenge in one header value; malformed parts are skipped, so the
// result may be empty.
std::vector<Challenge> parse_www_authenticate(std::string_view header);

}  // namespace burrow::registry

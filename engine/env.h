// "KEY=VALUE" environment lists, as image configs and OCI specs hold them.
#pragma once

#include <string>
#include <vector>

namespace burrow::engine {

// Replaces any entry with the same key and appends `entry` ("KEY=VALUE").
void set_env(std::vector<std::string>& env, const std::string& entry);
bool has_env(const std::vector<std::string>& env, const std::string& key);

}  // namespace burrow::engine

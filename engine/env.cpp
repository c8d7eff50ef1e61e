#include "engine/env.h"

#include <algorithm>

namespace burrow::engine {
namespace {

std::string env_key(const std::string& entry) { return entry.substr(0, entry.find('=')); }

}  // namespace

void set_env(std::vector<std::string>& env, const std::string& entry) {
  std::string key = env_key(entry);
  auto same = [&](const std::string& e) { return env_key(e) == key; };
  env.erase(std::remove_if(env.begin(), env.end(), same), env.end());
  env.push_back(entry);
}

bool has_env(const std::vector<std::string>& env, const std::string& key) {
  return std::any_of(env.begin(), env.end(),
                     [&](const std::string& e) { return env_key(e) == key; });
}

}  // namespace burrow::engine

#include "engine/config_changes.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "engine/env.h"

namespace burrow::engine {
namespace {

// Exec form is a JSON array; anything else is the shell form.
Result<std::vector<std::string>> command_form(std::string_view value) {
  if (!value.empty() && value.front() == '[') {
    auto parsed = nlohmann::json::parse(value, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_array())
      return base::failf(EINVAL, "invalid JSON array {}", value);
    std::vector<std::string> args;
    for (const auto& item : parsed) {
      if (!item.is_string()) return base::failf(EINVAL, "{}: arguments must be strings", value);
      args.push_back(item.get<std::string>());
    }
    return args;
  }
  return std::vector<std::string>{"/bin/sh", "-c", std::string(value)};
}

// "A=1 B=2" or the legacy single "A 1".
Result<std::vector<std::pair<std::string, std::string>>> key_values(std::string_view value) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (value.find('=') == std::string_view::npos) {
    size_t space = value.find(' ');
    if (space == std::string_view::npos)
      return base::failf(EINVAL, "{}: expected KEY=VALUE", value);
    pairs.emplace_back(std::string(value.substr(0, space)),
                       std::string(base::trim(value.substr(space + 1))));
    return pairs;
  }
  for (const auto& word : base::split(value, ' ')) {
    if (word.empty()) continue;
    size_t eq = word.find('=');
    if (eq == std::string::npos || eq == 0)
      return base::failf(EINVAL, "{}: expected KEY=VALUE", word);
    std::string val = word.substr(eq + 1);
    if (val.size() >= 2 && val.front() == '"' && val.back() == '"')
      val = val.substr(1, val.size() - 2);
    pairs.emplace_back(word.substr(0, eq), val);
  }
  return pairs;
}

void add_unique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

}  // namespace

Status apply_config_change(image::ContainerConfig& config, const std::string& change) {
  std::string_view text = base::trim(change);
  size_t space = text.find_first_of(" \t");
  std::string keyword(text.substr(0, space));
  std::transform(keyword.begin(), keyword.end(), keyword.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  std::string_view value = space == std::string_view::npos ? "" : base::trim(text.substr(space));
  auto fail = [&](const Error& e) {
    return tl::unexpected(e.with_context("invalid --change \"" + change + "\""));
  };
  if (keyword == "CMD" || keyword == "ENTRYPOINT") {
    auto args = command_form(value);
    if (!args) return fail(args.error());
    (keyword == "CMD" ? config.cmd : config.entrypoint) = *args;
  } else if (keyword == "ENV" || keyword == "LABEL") {
    auto pairs = key_values(value);
    if (!pairs) return fail(pairs.error());
    for (const auto& [k, v] : *pairs) {
      if (keyword == "ENV")
        set_env(config.env, k + "=" + v);
      else
        config.labels[k] = v;
    }
  } else if (keyword == "WORKDIR") {
    config.working_dir = std::string(value);
  } else if (keyword == "USER") {
    config.user = std::string(value);
  } else if (keyword == "STOPSIGNAL") {
    config.stop_signal = std::string(value);
  } else if (keyword == "EXPOSE" || keyword == "VOLUME") {
    for (const auto& word : base::split(value, ' ')) {
      if (word.empty()) continue;
      if (keyword == "VOLUME")
        add_unique(config.volumes, word);
      else
        add_unique(config.exposed_ports,
                   word.find('/') == std::string::npos ? word + "/tcp" : word);
    }
  } else {
    return fail(Error{EINVAL,
                      "unsupported instruction: use CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
                      "STOPSIGNAL, USER, VOLUME or WORKDIR"});
  }
  if (value.empty() && keyword != "CMD" && keyword != "ENTRYPOINT")
    return fail(Error{EINVAL, "missing value"});
  return base::ok();
}

Status apply_config_changes(image::ContainerConfig& config,
                            const std::vector<std::string>& changes) {
  for (const auto& change : changes) BURROW_CHECK(apply_config_change(config, change));
  return base::ok();
}

}  // namespace burrow::engine

#include "image/image_config.h"

#include <cerrno>

#include "base/digest.h"
#include "image/json_fields.h"
#include "image/timestamps.h"

namespace burrow::image {

using base::failf;
using base::Result;
using json_fields::Json;

namespace {

Result<std::optional<HealthcheckConfig>> parse_healthcheck(const Json& config) {
  const Json* health = json_fields::find(config, "Healthcheck");
  if (!health) return std::optional<HealthcheckConfig>();
  if (!health->is_object()) return failf(EINVAL, "field \"config.Healthcheck\" must be an object");
  constexpr std::string_view kWhere = "config.Healthcheck";
  HealthcheckConfig out;
  BURROW_TRY(out.test, json_fields::get_string_array(*health, "Test", kWhere));
  BURROW_TRY(out.interval, json_fields::get_int64(*health, "Interval", kWhere));
  BURROW_TRY(out.timeout, json_fields::get_int64(*health, "Timeout", kWhere));
  BURROW_TRY(out.start_period, json_fields::get_int64(*health, "StartPeriod", kWhere));
  BURROW_TRY(int64_t retries, json_fields::get_int64(*health, "Retries", kWhere));
  if (out.interval < 0 || out.timeout < 0 || out.start_period < 0 || retries < 0 ||
      retries > 1000000)
    return failf(EINVAL, "field \"config.Healthcheck\" has a negative or huge value");
  out.retries = static_cast<int>(retries);
  return std::optional<HealthcheckConfig>(std::move(out));
}

Result<ContainerConfig> parse_container_config(const Json& object) {
  const Json* config = json_fields::find(object, "config");
  ContainerConfig out;
  if (!config) return out;
  if (!config->is_object()) return failf(EINVAL, "field \"config\" must be an object");
  constexpr std::string_view kWhere = "config";
  BURROW_TRY(out.user, json_fields::get_string(*config, "User", kWhere));
  BURROW_TRY(out.env, json_fields::get_string_array(*config, "Env", kWhere));
  BURROW_TRY(out.entrypoint, json_fields::get_string_array(*config, "Entrypoint", kWhere));
  BURROW_TRY(out.cmd, json_fields::get_string_array(*config, "Cmd", kWhere));
  BURROW_TRY(out.working_dir, json_fields::get_string(*config, "WorkingDir", kWhere));
  BURROW_TRY(out.labels, json_fields::get_string_map(*config, "Labels", kWhere));
  BURROW_TRY(out.exposed_ports, json_fields::get_object_keys(*config, "ExposedPorts", kWhere));
  BURROW_TRY(out.volumes, json_fields::get_object_keys(*config, "Volumes", kWhere));
  BURROW_TRY(out.stop_signal, json_fields::get_string(*config, "StopSignal", kWhere));
  BURROW_TRY(out.healthcheck, parse_healthcheck(*config));
  return out;
}

Result<RootFs> parse_rootfs(const Json& object) {
  const Json* rootfs = json_fields::find(object, "rootfs");
  if (!rootfs) return failf(EINVAL, "required field \"rootfs\" is missing");
  if (!rootfs->is_object()) return failf(EINVAL, "field \"rootfs\" must be an object");
  RootFs out;
  BURROW_TRY(out.type, json_fields::get_string(*rootfs, "type", "rootfs", true));
  if (out.type != "layers")
    return failf(EINVAL, "field \"rootfs.type\" must be \"layers\", not \"{}\"", out.type);
  BURROW_TRY(out.diff_ids, json_fields::get_string_array(*rootfs, "diff_ids", "rootfs"));
  for (size_t i = 0; i < out.diff_ids.size(); ++i) {
    auto hex = base::parse_sha256_digest(out.diff_ids[i]);
    if (!hex)
      return tl::unexpected(hex.error().with_context(fmt::format("rootfs.diff_ids[{}]", i)));
  }
  return out;
}

Result<std::vector<HistoryEntry>> parse_history(const Json& object) {
  std::vector<HistoryEntry> out;
  const Json* history = json_fields::find(object, "history");
  if (!history) return out;
  if (!history->is_array()) return failf(EINVAL, "field \"history\" must be an array");
  for (size_t i = 0; i < history->size(); ++i) {
    const Json& item = (*history)[i];
    std::string where = fmt::format("history[{}]", i);
    if (!item.is_object()) return failf(EINVAL, "field \"{}\" must be an object", where);
    HistoryEntry entry;
    BURROW_TRY(entry.created, json_fields::get_string(item, "created", where));
    BURROW_TRY(entry.created_by, json_fields::get_string(item, "created_by", where));
    BURROW_TRY(entry.author, json_fields::get_string(item, "author", where));
    BURROW_TRY(entry.comment, json_fields::get_string(item, "comment", where));
    BURROW_TRY(entry.empty_layer, json_fields::get_bool(item, "empty_layer", where));
    out.push_back(std::move(entry));
  }
  return out;
}

Result<ImageConfig> parse_fields(const Json& doc) {
  ImageConfig out;
  BURROW_TRY(out.created, json_fields::get_string(doc, "created", ""));
  // An unparsable date is kept as text rather than refusing the image: it
  // only feeds the CREATED column.
  if (!out.created.empty())
    if (auto parsed = parse_rfc3339(out.created)) out.created_epoch = parsed->seconds;
  BURROW_TRY(out.author, json_fields::get_string(doc, "author", ""));
  BURROW_TRY(out.architecture, json_fields::get_string(doc, "architecture", ""));
  BURROW_TRY(out.os, json_fields::get_string(doc, "os", ""));
  BURROW_TRY(out.variant, json_fields::get_string(doc, "variant", ""));
  BURROW_TRY(out.config, parse_container_config(doc));
  BURROW_TRY(out.rootfs, parse_rootfs(doc));
  BURROW_TRY(out.history, parse_history(doc));
  return out;
}

// Docker writes ExposedPorts and Volumes as sets: {"80/tcp": {}}.
nlohmann::ordered_json key_set(const std::vector<std::string>& keys) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& key : keys) out[key] = Json::object();
  return out;
}

nlohmann::ordered_json healthcheck_json(const HealthcheckConfig& h) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["Test"] = h.test;
  if (h.interval) out["Interval"] = h.interval;
  if (h.timeout) out["Timeout"] = h.timeout;
  if (h.start_period) out["StartPeriod"] = h.start_period;
  if (h.retries) out["Retries"] = h.retries;
  return out;
}

nlohmann::ordered_json container_config_json(const ContainerConfig& c) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (!c.user.empty()) out["User"] = c.user;
  if (!c.exposed_ports.empty()) out["ExposedPorts"] = key_set(c.exposed_ports);
  if (!c.env.empty()) out["Env"] = c.env;
  if (!c.entrypoint.empty()) out["Entrypoint"] = c.entrypoint;
  if (!c.cmd.empty()) out["Cmd"] = c.cmd;
  if (!c.volumes.empty()) out["Volumes"] = key_set(c.volumes);
  if (!c.working_dir.empty()) out["WorkingDir"] = c.working_dir;
  if (!c.labels.empty()) out["Labels"] = c.labels;
  if (!c.stop_signal.empty()) out["StopSignal"] = c.stop_signal;
  if (c.healthcheck) out["Healthcheck"] = healthcheck_json(*c.healthcheck);
  return out;
}

nlohmann::ordered_json history_json(const HistoryEntry& h) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (!h.created.empty()) out["created"] = h.created;
  if (!h.author.empty()) out["author"] = h.author;
  if (!h.created_by.empty()) out["created_by"] = h.created_by;
  if (!h.comment.empty()) out["comment"] = h.comment;
  if (h.empty_layer) out["empty_layer"] = true;
  return out;
}

}  // namespace

Result<ImageConfig> parse_image_config(std::string_view json) {
  auto doc = json_fields::parse_object(json, "image config");
  if (!doc) return tl::unexpected(doc.error());
  auto config = parse_fields(*doc);
  if (!config) return tl::unexpected(config.error().with_context("image config"));
  return config;
}

std::string serialize_image_config(const ImageConfig& config) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (!config.created.empty()) out["created"] = config.created;
  if (!config.author.empty()) out["author"] = config.author;
  out["architecture"] = config.architecture;
  if (!config.variant.empty()) out["variant"] = config.variant;
  out["os"] = config.os;
  out["config"] = container_config_json(config.config);
  out["rootfs"] = {{"type", config.rootfs.type}, {"diff_ids", config.rootfs.diff_ids}};
  if (!config.history.empty()) {
    nlohmann::ordered_json history = nlohmann::ordered_json::array();
    for (const auto& entry : config.history) history.push_back(history_json(entry));
    out["history"] = std::move(history);
  }
  return out.dump();
}

}  // namespace burrow::image

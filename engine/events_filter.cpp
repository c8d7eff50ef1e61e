// Event filters for `burrow events --filter`.
#include "base/strings.h"
#include "engine/events.h"

namespace burrow::engine {
namespace {

constexpr const char* kKeys[] = {"container", "image", "event", "type", "label"};

// Events name images as stored ("localhost/busybox:latest"); users write
// them as they would for run ("busybox").
bool image_name_matches(const std::string& stored, const std::string& wanted) {
  if (stored.empty()) return false;
  for (const std::string& form :
       {wanted, wanted + ":latest", "localhost/" + wanted, "localhost/" + wanted + ":latest"})
    if (stored == form) return true;
  return false;
}

bool matches_one(const std::string& key, const std::string& value, const Event& e) {
  if (key == "container")
    return e.type == "container" && (e.name == value || base::starts_with(e.id, value));
  if (key == "image") {
    if (e.type == "image")
      return base::starts_with(e.id, value) || image_name_matches(e.name, value);
    return image_name_matches(e.image, value);
  }
  if (key == "event") return e.status == value || (value == "die" && e.status == "died");
  if (key == "type") return e.type == value;
  if (key == "label") {
    auto eq = value.find('=');
    auto it = e.attributes.find(value.substr(0, eq));
    if (it == e.attributes.end()) return false;
    return eq == std::string::npos || it->second == value.substr(eq + 1);
  }
  return false;
}

}  // namespace

Result<EventFilter> EventFilter::parse(const std::vector<std::string>& filters) {
  EventFilter filter;
  for (const auto& text : filters) {
    auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
      return base::failf(EINVAL, "invalid filter \"{}\": use KEY=VALUE", text);
    std::string key = text.substr(0, eq);
    if (key == "status") key = "event";
    bool known = false;
    for (const char* k : kKeys) known = known || key == k;
    if (!known)
      return base::failf(
          EINVAL, "invalid filter \"{}\": use container=, image=, event=, type= or label=", text);
    filter.values_[key].push_back(text.substr(eq + 1));
  }
  return filter;
}

bool EventFilter::matches(const Event& event) const {
  for (const auto& [key, values] : values_) {
    bool any = false;
    for (const auto& value : values) any = any || matches_one(key, value, event);
    if (!any) return false;
  }
  return true;
}

}  // namespace burrow::engine

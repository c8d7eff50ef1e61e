#include "rootless-net/network_mode.h"

#include <unistd.h>

#include <cctype>

#include "base/strings.h"
#include "rootless-net/network_config.h"
#include "rootless-net/pasta.h"
#include "rootless-net/slirp4netns.h"

namespace burrow::net {
namespace {

constexpr const char* kAcceptedModes =
    "none, host, private, bridge, pasta[:OPTIONS], slirp4netns[:OPTIONS], container:NAME, "
    "ns:PATH or the name of a network";

// "NAME" or "NAME:alias=a,ip=10.89.0.5,mac=...,interface_name=eth1".
Result<NetworkAttachment> parse_attachment(const std::string& value) {
  NetworkAttachment attachment;
  size_t colon = value.find(':');
  attachment.network = value.substr(0, colon);
  if (!check_network_name(attachment.network))
    return base::failf(EINVAL, "invalid --network \"{}\": use {}", value, kAcceptedModes);
  if (colon == std::string::npos) return attachment;
  for (const auto& option : base::split(value.substr(colon + 1), ',')) {
    size_t eq = option.find('=');
    std::string key = option.substr(0, eq);
    std::string data = eq == std::string::npos ? "" : option.substr(eq + 1);
    if (data.empty())
      return base::failf(EINVAL, "--network {}: option \"{}\" needs a value (KEY=VALUE)",
                         attachment.network, option);
    if (key == "alias") {
      attachment.aliases.push_back(data);
    } else if (key == "ip" || key == "ip6") {
      attachment.static_ips.push_back(data);
    } else if (key == "mac") {
      attachment.static_mac = data;
    } else if (key == "interface_name") {
      attachment.interface_name = data;
    } else {
      return base::failf(EINVAL,
                         "--network {}: unknown option \"{}\": use alias=, ip=, ip6=, mac= or "
                         "interface_name=",
                         attachment.network, key);
    }
  }
  return attachment;
}

std::vector<std::string> options_after_colon(const std::string& value) {
  size_t colon = value.find(':');
  if (colon == std::string::npos) return {};
  return base::split(value.substr(colon + 1), ',');
}

// A mode that stands alone (everything but user networks).
Result<std::optional<NetworkMode>> parse_single_mode(const std::string& value, bool rootless) {
  std::string head = value.substr(0, value.find(':'));
  bool has_colon = head.size() < value.size();
  NetworkMode mode;
  if ((head == "none" || head == "host" || head == "private" || head == "bridge") && has_colon)
    return base::failf(EINVAL, "--network {} takes no options", head);
  if (head == "none") return mode;
  if (head == "private") return default_network_mode(rootless);
  if (head == "host") {
    mode.kind = NetworkKind::kHost;
  } else if (head == "pasta") {
    mode.kind = NetworkKind::kPasta;
    mode.helper_options = options_after_colon(value);
    BURROW_CHECK(check_pasta_options(mode.helper_options));
  } else if (head == "slirp4netns") {
    mode.kind = NetworkKind::kSlirp4netns;
    mode.helper_options = options_after_colon(value);
    BURROW_TRY(auto parsed, parse_slirp_options(mode.helper_options));
  } else if (head == "container" || head == "ns") {
    mode.kind = head == "container" ? NetworkKind::kContainer : NetworkKind::kPath;
    mode.target = has_colon ? value.substr(head.size() + 1) : "";
    if (mode.target.empty())
      return base::failf(EINVAL, "--network {}: name the {} after the colon ({}:{})", value,
                         head == "container" ? "container" : "namespace file", head,
                         head == "container" ? "NAME" : "/run/netns/NAME");
    if (mode.kind == NetworkKind::kPath && mode.target.front() != '/')
      return base::failf(EINVAL, "--network {}: the namespace path must be absolute", value);
  } else if (head == "bridge") {
    mode.kind = NetworkKind::kBridge;
    mode.networks.push_back({kDefaultNetwork, {}, {}, {}, {}});
  } else {
    return std::optional<NetworkMode>();
  }
  return std::optional<NetworkMode>(std::move(mode));
}

}  // namespace

NetworkMode default_network_mode(bool rootless) {
  NetworkMode mode;
  if (rootless) {
    bool have_pasta = find_pasta().has_value();
    mode.kind = have_pasta || !find_slirp4netns() ? NetworkKind::kPasta : NetworkKind::kSlirp4netns;
  } else {
    mode.kind = NetworkKind::kBridge;
    mode.networks.push_back({kDefaultNetwork, {}, {}, {}, {}});
  }
  return mode;
}

Result<NetworkMode> parse_network_flags(const std::vector<std::string>& values, bool rootless) {
  if (values.empty()) return default_network_mode(rootless);
  NetworkMode bridged;
  bridged.kind = NetworkKind::kBridge;
  for (const auto& value : values) {
    if (value.empty())
      return base::failf(EINVAL, "--network needs a value: use {}", kAcceptedModes);
    BURROW_TRY(auto single, parse_single_mode(value, rootless));
    if (single) {
      bool joins_networks = single->kind == NetworkKind::kBridge;
      if (values.size() > 1 && !joins_networks)
        return base::failf(EINVAL,
                           "--network {} cannot be combined with other --network flags: give it "
                           "alone, or only network names",
                           value);
      if (values.size() == 1) return std::move(*single);
      bridged.networks.push_back(single->networks.front());
      continue;
    }
    // "a,b" without options is a list of names, as Podman accepts.
    std::vector<std::string> names = value.find(':') == std::string::npos
                                         ? base::split(value, ',')
                                         : std::vector<std::string>{value};
    for (const auto& name : names) {
      BURROW_TRY(auto attachment, parse_attachment(name));
      for (const auto& known : bridged.networks)
        if (known.network == attachment.network)
          return base::failf(EINVAL, "--network {} is given twice", attachment.network);
      bridged.networks.push_back(std::move(attachment));
    }
  }
  return bridged;
}

std::string network_mode_name(const NetworkMode& mode) {
  switch (mode.kind) {
    case NetworkKind::kNone:
      return "none";
    case NetworkKind::kHost:
      return "host";
    case NetworkKind::kPasta:
      return "pasta";
    case NetworkKind::kSlirp4netns:
      return "slirp4netns";
    case NetworkKind::kBridge:
      return "bridge";
    case NetworkKind::kContainer:
      return "container:" + mode.target;
    case NetworkKind::kPath:
      return "ns:" + mode.target;
  }
  return "none";
}

Result<NetworkKind> network_kind_from_name(const std::string& name) {
  static const std::pair<const char*, NetworkKind> kKinds[] = {
      {"none", NetworkKind::kNone},     {"host", NetworkKind::kHost},
      {"pasta", NetworkKind::kPasta},   {"slirp4netns", NetworkKind::kSlirp4netns},
      {"bridge", NetworkKind::kBridge}, {"container", NetworkKind::kContainer},
      {"ns", NetworkKind::kPath},
  };
  for (const auto& [known, kind] : kKinds)
    if (name == known) return kind;
  return base::failf(EINVAL, "unknown network mode \"{}\" in a stored container", name);
}

bool has_private_namespace(NetworkKind kind) {
  return kind == NetworkKind::kNone || kind == NetworkKind::kPasta ||
         kind == NetworkKind::kSlirp4netns || kind == NetworkKind::kBridge;
}

bool can_publish_ports(NetworkKind kind) {
  return kind == NetworkKind::kPasta || kind == NetworkKind::kSlirp4netns ||
         kind == NetworkKind::kBridge;
}

}  // namespace burrow::net

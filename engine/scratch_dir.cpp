#include "engine/scratch_dir.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <charconv>

#include "base/file_util.h"
#include "base/log.h"

namespace burrow::engine {
namespace {

// The pid in "<prefix><pid>-...", or 0 when the name is not one of ours.
pid_t owner_of(std::string_view name, std::string_view prefix) {
  if (!name.starts_with(prefix)) return 0;
  name.remove_prefix(prefix.size());
  pid_t pid = 0;
  auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), pid);
  if (error != std::errc() || end == name.data() || *end != '-' || pid <= 0) return 0;
  return pid;
}

bool process_gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

}  // namespace

Result<std::string> make_scratch_dir(const std::string& parent, const std::string& prefix) {
  return base::make_temp_dir(parent, prefix + std::to_string(::getpid()) + "-");
}

void sweep_scratch_dirs(const std::string& parent, const std::string& prefix) {
  DIR* dir = ::opendir(parent.c_str());
  if (dir == nullptr) return;
  std::vector<std::string> stale;
  while (const dirent* entry = ::readdir(dir)) {
    pid_t owner = owner_of(entry->d_name, prefix);
    if (owner != 0 && process_gone(owner)) stale.push_back(entry->d_name);
  }
  ::closedir(dir);
  for (const auto& name : stale) {
    std::string path = base::path_join(parent, name);
    if (auto removed = base::remove_tree(path); !removed)
      base::debug("removing the stale scratch directory {}: {}", path, removed.error().message);
  }
}

}  // namespace burrow::engine

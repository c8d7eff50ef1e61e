#include "engine/container_procs.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "base/file_util.h"
#include "base/strings.h"

namespace burrow::engine {
namespace {

// The pid namespace's identity; 0 when the process is gone or hidden.
ino_t pid_namespace_of(pid_t pid) {
  struct stat st {};
  std::string path = "/proc/" + std::to_string(pid) + "/ns/pid";
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// The first number after "Key:" in /proc/PID/status.
int64_t status_number(const std::string& status, const std::string& key, size_t index = 0) {
  auto fields = base::split_whitespace(status_value(status, key));
  if (index >= fields.size()) return -1;
  return std::strtoll(fields[index].c_str(), nullptr, 10);
}

int64_t field_number(const StatFields& stat, size_t field) {
  // rest[0] is field 3 of proc(5).
  size_t index = field - 3;
  return index < stat.rest.size() ? std::strtoll(stat.rest[index].c_str(), nullptr, 10) : 0;
}

std::vector<std::string> split_cmdline(const std::string& raw) {
  std::vector<std::string> args;
  size_t start = 0;
  while (start < raw.size()) {
    size_t end = raw.find('\0', start);
    if (end == std::string::npos) end = raw.size();
    args.push_back(raw.substr(start, end - start));
    start = end + 1;
  }
  return args;
}

}  // namespace

std::vector<pid_t> all_pids() {
  std::vector<pid_t> pids;
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return pids;
  while (dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (end != entry->d_name && *end == '\0' && pid > 0) pids.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(dir);
  std::sort(pids.begin(), pids.end());
  return pids;
}

std::vector<std::string> process_args(pid_t pid) {
  auto raw = base::read_file("/proc/" + std::to_string(pid) + "/cmdline");
  return raw ? split_cmdline(*raw) : std::vector<std::string>{};
}

std::string status_value(const std::string& status, const std::string& key) {
  std::string prefix = key + ":";
  size_t at = 0;
  while (at < status.size()) {
    size_t end = status.find('\n', at);
    if (end == std::string::npos) end = status.size();
    if (status.compare(at, prefix.size(), prefix) == 0)
      return std::string(base::trim(
          std::string_view(status).substr(at + prefix.size(), end - at - prefix.size())));
    at = end + 1;
  }
  return "";
}

pid_t innermost_pid(const std::string& status_content, const std::string& key) {
  auto fields = base::split_whitespace(status_value(status_content, key));
  if (fields.empty()) return 0;
  return static_cast<pid_t>(std::strtol(fields.back().c_str(), nullptr, 10));
}

Result<std::vector<pid_t>> container_pids(pid_t init_pid) {
  ino_t ns = pid_namespace_of(init_pid);
  if (ns == 0) return base::fail_errno("reading the pid namespace of process {}", init_pid);
  std::vector<pid_t> pids = {init_pid};
  for (pid_t pid : all_pids())
    if (pid != init_pid && pid_namespace_of(pid) == ns) pids.push_back(pid);
  return pids;
}

Result<StatFields> parse_proc_stat(const std::string& content) {
  size_t open = content.find('(');
  size_t close = content.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open)
    return base::failf(EINVAL, "malformed /proc stat line");
  StatFields fields;
  fields.comm = content.substr(open + 1, close - open - 1);
  fields.rest = base::split_whitespace(content.substr(close + 1));
  if (fields.rest.size() < 22) return base::failf(EINVAL, "short /proc stat line");
  return fields;
}

Result<ProcessInfo> read_process_info(pid_t host_pid) {
  std::string dir = "/proc/" + std::to_string(host_pid);
  BURROW_TRY(auto stat_text, base::read_file(dir + "/stat"));
  BURROW_TRY(auto status, base::read_file(dir + "/status"));
  BURROW_TRY(auto stat, parse_proc_stat(stat_text));
  ProcessInfo info;
  info.host_pid = host_pid;
  info.pid = innermost_pid(status, "NSpid");
  info.uid = static_cast<uid_t>(status_number(status, "Uid", 1));
  info.gid = static_cast<gid_t>(status_number(status, "Gid", 1));
  info.ruid = static_cast<uid_t>(status_number(status, "Uid", 0));
  info.rgid = static_cast<gid_t>(status_number(status, "Gid", 0));
  info.pgid = innermost_pid(status, "NSpgid");
  info.seccomp_mode = static_cast<int>(status_number(status, "Seccomp"));
  info.comm = stat.comm;
  info.state = stat.rest[0].empty() ? '?' : stat.rest[0][0];
  info.tty_nr = static_cast<int>(field_number(stat, 7));
  info.cpu_ticks = field_number(stat, 14) + field_number(stat, 15);
  info.nice = static_cast<int>(field_number(stat, 19));
  info.start_ticks = field_number(stat, 22);
  info.vsz_kib = static_cast<uint64_t>(std::max<int64_t>(0, field_number(stat, 23))) / 1024;
  info.rss_kib = static_cast<uint64_t>(std::max<int64_t>(0, status_number(status, "VmRSS")));
  info.args = process_args(host_pid);
  // The parent's pid in the container; resolved by the caller's listing.
  info.ppid = static_cast<pid_t>(status_number(status, "PPid"));
  return info;
}

}  // namespace burrow::engine

#include "engine/container_top.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

#include "base/file_util.h"
#include "base/go_duration.h"
#include "base/strings.h"
#include "engine/container_lifecycle.h"
#include "engine/container_state.h"
#include "engine/container_store.h"
#include "engine/user_lookup.h"

namespace burrow::engine {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

const std::map<std::string, std::string>& descriptor_headers() {
  static const std::map<std::string, std::string> headers = {
      {"args", "COMMAND"},  {"comm", "COMMAND"}, {"etime", "ELAPSED"}, {"group", "GROUP"},
      {"hgroup", "HGROUP"}, {"hpid", "HPID"},    {"huser", "HUSER"},   {"nice", "NI"},
      {"pcpu", "%CPU"},     {"pgid", "PGID"},    {"pid", "PID"},       {"ppid", "PPID"},
      {"rgroup", "RGROUP"}, {"rss", "RSS"},      {"ruser", "RUSER"},   {"seccomp", "SECCOMP"},
      {"state", "STATE"},   {"time", "TIME"},    {"tty", "TTY"},       {"user", "USER"},
      {"vsz", "VSZ"}};
  return headers;
}

// The AIX "%x" codes of ps(1) for the same columns.
const std::map<std::string, std::string>& aix_codes() {
  static const std::map<std::string, std::string> codes = {
      {"%C", "pcpu"},  {"%G", "group"},  {"%P", "ppid"}, {"%U", "user"}, {"%a", "args"},
      {"%c", "comm"},  {"%g", "rgroup"}, {"%n", "nice"}, {"%p", "pid"},  {"%r", "pgid"},
      {"%t", "etime"}, {"%u", "ruser"},  {"%x", "time"}, {"%y", "tty"},  {"%z", "vsz"}};
  return codes;
}

// The name field of the passwd or group line whose third field is `id`.
std::string name_of(int64_t id, const std::string& database) {
  for (const auto& line : base::split(database, '\n')) {
    auto fields = base::split(line, ':');
    if (fields.size() >= 3 && fields[2] == std::to_string(id)) return fields[0];
  }
  return std::to_string(id);
}

std::string tty_name(int tty_nr) {
  if (tty_nr == 0) return "?";
  int major = (tty_nr >> 8) & 0xfff;
  int minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return "pts/" + std::to_string(minor + (major - 136) * 256);
  if (major == 4) return "tty" + std::to_string(minor);
  return "?";
}

int64_t elapsed_ns(const ProcessInfo& p, const TopContext& context) {
  int64_t started = p.start_ticks * (kNanosPerSecond / context.ticks_per_second);
  return std::max<int64_t>(0, context.now_boot_ns - started);
}

std::string cpu_percent(const ProcessInfo& p, const TopContext& context) {
  double elapsed = static_cast<double>(elapsed_ns(p, context)) / kNanosPerSecond;
  double cpu = static_cast<double>(p.cpu_ticks) / static_cast<double>(context.ticks_per_second);
  return fmt::format("{:.3f}", elapsed > 0 ? 100.0 * cpu / elapsed : 0.0);
}

std::string command_line(const ProcessInfo& p) {
  return p.args.empty() ? "[" + p.comm + "]" : base::join(p.args, " ");
}

std::string seccomp_name(int mode) {
  return mode == 2 ? "filter" : mode == 1 ? "strict" : "disabled";
}

}  // namespace

std::optional<std::vector<std::string>> parse_top_descriptors(
    const std::vector<std::string>& arguments) {
  std::vector<std::string> descriptors;
  for (const auto& argument : arguments) {
    for (const auto& part : base::split(argument, ',')) {
      if (part.empty()) continue;
      auto code = aix_codes().find(part);
      std::string name = code != aix_codes().end() ? code->second : part;
      if (!descriptor_headers().count(name)) return std::nullopt;
      descriptors.push_back(name);
    }
  }
  if (descriptors.empty()) return kDefaultTopDescriptors;
  return descriptors;
}

std::string top_header(const std::string& descriptor) {
  auto found = descriptor_headers().find(descriptor);
  return found != descriptor_headers().end() ? found->second : descriptor;
}

int64_t id_inside(int64_t outside_id, const std::string& map) {
  if (map.empty()) return outside_id;
  for (const auto& line : base::split(map, '\n')) {
    auto fields = base::split_whitespace(line);
    if (fields.size() != 3) continue;
    int64_t inside = std::strtoll(fields[0].c_str(), nullptr, 10);
    int64_t outside = std::strtoll(fields[1].c_str(), nullptr, 10);
    int64_t count = std::strtoll(fields[2].c_str(), nullptr, 10);
    if (outside_id >= outside && outside_id < outside + count) return inside + outside_id - outside;
  }
  return 65534;  // the kernel's overflow id for unmapped ids
}

std::string top_cell(const std::string& d, const ProcessInfo& p, const TopContext& c) {
  if (d == "user") return name_of(id_inside(p.uid, c.uid_map), c.passwd);
  if (d == "ruser") return name_of(id_inside(p.ruid, c.uid_map), c.passwd);
  if (d == "group") return name_of(id_inside(p.gid, c.gid_map), c.group);
  if (d == "rgroup") return name_of(id_inside(p.rgid, c.gid_map), c.group);
  if (d == "huser") return name_of(p.uid, c.host_passwd);
  if (d == "hgroup") return name_of(p.gid, c.host_group);
  if (d == "pid") return std::to_string(p.pid);
  if (d == "ppid") return std::to_string(p.ppid);
  if (d == "pgid") return std::to_string(p.pgid);
  if (d == "hpid") return std::to_string(p.host_pid);
  if (d == "pcpu") return cpu_percent(p, c);
  if (d == "etime") return base::format_go_duration(elapsed_ns(p, c));
  if (d == "time")
    return base::format_go_duration(p.cpu_ticks / c.ticks_per_second * kNanosPerSecond);
  if (d == "tty") return tty_name(p.tty_nr);
  if (d == "args") return command_line(p);
  if (d == "comm") return p.comm;
  if (d == "nice") return std::to_string(p.nice);
  if (d == "vsz") return std::to_string(p.vsz_kib);
  if (d == "rss") return std::to_string(p.rss_kib);
  if (d == "state") return std::string(1, p.state);
  if (d == "seccomp") return seccomp_name(p.seccomp_mode);
  return "";
}

namespace {

ino_t user_namespace_of(const std::string& pid) {
  struct stat st {};
  return ::stat(("/proc/" + pid + "/ns/user").c_str(), &st) == 0 ? st.st_ino : 0;
}

TopContext top_context(pid_t init) {
  TopContext context;
  std::string root = "/proc/" + std::to_string(init) + "/root";
  context.passwd = read_file_in_root(root, "/etc/passwd").value_or("");
  context.group = read_file_in_root(root, "/etc/group").value_or("");
  context.host_passwd = base::read_file("/etc/passwd").value_or("");
  context.host_group = base::read_file("/etc/group").value_or("");
  // Inside the container's user namespace /proc already shows its ids.
  std::string pid = std::to_string(init);
  if (user_namespace_of("self") != user_namespace_of(pid)) {
    context.uid_map = base::read_file("/proc/" + pid + "/uid_map").value_or("");
    context.gid_map = base::read_file("/proc/" + pid + "/gid_map").value_or("");
  }
  timespec now{};
  ::clock_gettime(CLOCK_BOOTTIME, &now);
  context.now_boot_ns = now.tv_sec * kNanosPerSecond + now.tv_nsec;
  context.ticks_per_second = ::sysconf(_SC_CLK_TCK);
  return context;
}

// Host parent pids become the container's view: 0 for a parent outside.
void translate_parents(std::vector<ProcessInfo>& processes) {
  std::map<pid_t, pid_t> inside;
  for (const auto& p : processes) inside[p.host_pid] = p.pid;
  for (auto& p : processes) {
    auto found = inside.find(p.ppid);
    p.ppid = found != inside.end() ? found->second : 0;
  }
}

}  // namespace

Result<TopTable> container_top(Engine& engine, const std::string& reference,
                               const std::vector<std::string>& descriptors) {
  ContainerStore store(engine.db());
  BURROW_TRY(auto found, store.find(reference));
  auto record = observed(engine.paths(), found);
  if (!is_active(record.state) || !record.pid)
    return base::failf(EINVAL, "top can only be used on running containers: {} is {}", record.name,
                       record.state);
  auto init = static_cast<pid_t>(*record.pid);
  BURROW_TRY(auto pids, container_pids(init));
  std::vector<ProcessInfo> processes;
  for (pid_t pid : pids)
    if (auto info = read_process_info(pid)) processes.push_back(std::move(*info));
  translate_parents(processes);
  TopContext context = top_context(init);
  TopTable table;
  for (const auto& d : descriptors) table.headers.push_back(top_header(d));
  for (const auto& p : processes) {
    std::vector<std::string> row;
    for (const auto& d : descriptors) row.push_back(top_cell(d, p, context));
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace burrow::engine

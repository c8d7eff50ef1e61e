#include "userns/map_writer.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include "base/child_process.h"
#include "base/file_util.h"
#include "base/strings.h"

namespace burrow::userns {
namespace {

Status write_proc_file(pid_t pid, const char* name, const std::string& content) {
  std::string path = fmt::format("/proc/{}/{}", pid, name);
  base::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return base::fail_errno("opening {}", path);
  // The kernel wants the whole map in one write.
  if (::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size()))
    return base::fail_errno("writing {}", path);
  return base::ok();
}

Status write_directly(pid_t pid, const IdMapPlan& plan, bool privileged) {
  // Without CAP_SETGID in the parent namespace the kernel only accepts a
  // gid_map after setgroups has been denied.
  if (!privileged) BURROW_CHECK(write_proc_file(pid, "setgroups", "deny"));
  BURROW_CHECK(write_proc_file(pid, "uid_map", format_map_file(plan.uids)));
  return write_proc_file(pid, "gid_map", format_map_file(plan.gids));
}

Status run_helper(const std::string& helper, pid_t pid, const std::vector<IdMapEntry>& entries) {
  std::vector<std::string> argv{helper, std::to_string(pid)};
  for (auto& arg : helper_arguments(entries)) argv.push_back(std::move(arg));
  BURROW_TRY(base::ProcessOutput result, base::run_process(argv));
  if (result.exit_code != 0)
    return base::failf(EPERM, "{} failed ({}): {}check the ranges in /etc/subuid and /etc/subgid",
                       helper, result.exit_code, result.output);
  return base::ok();
}

}  // namespace

MapHelpers MapHelpers::find() {
  return MapHelpers{base::find_program("newuidmap"), base::find_program("newgidmap")};
}

Status write_id_maps(pid_t pid, const IdMapPlan& plan, const MapHelpers& helpers, bool privileged) {
  if (privileged || plan.single_id) return write_directly(pid, plan, privileged);
  if (helpers.newuidmap.empty() || helpers.newgidmap.empty())
    return base::fail(ENOENT,
                      "newuidmap/newgidmap not found: install the uidmap package "
                      "(apt-get install uidmap) to use the ranges in /etc/subuid and /etc/subgid");
  BURROW_CHECK(run_helper(helpers.newuidmap, pid, plan.uids));
  return run_helper(helpers.newgidmap, pid, plan.gids);
}

}  // namespace burrow::userns

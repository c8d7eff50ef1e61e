#include "runtime/test_rootfs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "base/file_util.h"
#include "base/unique_fd.h"
#include "runtime/spec_defaults.h"

namespace burrow::runtime::test_support {

bool rootless_mode() {
  const char* value = std::getenv("BURROW_TEST_ROOTLESS");
  return value != nullptr && std::string(value) == "1";
}

std::string probe_binary() {
  if (const char* env = std::getenv("BURROW_PROBE")) return env;
#ifdef BURROW_PROBE_PATH
  return BURROW_PROBE_PATH;
#else
  return "";
#endif
}

base::Status copy_file(const std::string& from, const std::string& to, mode_t mode) {
  BURROW_TRY(std::string content, base::read_file(from));
  base::UniqueFd fd(::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd) return base::fail_errno("creating {}", to);
  BURROW_CHECK(base::write_all(fd.get(), content));
  if (::fchmod(fd.get(), mode) != 0) return base::fail_errno("chmod {}", to);
  return base::ok();
}

base::Status make_test_rootfs(const std::string& rootfs,
                              std::initializer_list<const char*> applets) {
  BURROW_CHECK(base::make_dirs(rootfs + "/bin", 0755));
  BURROW_CHECK(base::make_dirs(rootfs + "/etc", 0755));
  BURROW_CHECK(copy_file("/bin/busybox", rootfs + "/bin/busybox", 0755));
  for (const char* applet : applets) {
    if (::symlink("busybox", (rootfs + "/bin/" + applet).c_str()) != 0)
      return base::fail_errno("linking applet {}", applet);
  }
  std::string probe = probe_binary();
  if (!probe.empty() && ::access(probe.c_str(), R_OK) == 0)
    BURROW_CHECK(copy_file(probe, rootfs + "/probe", 0755));
  BURROW_CHECK(copy_file("/etc/passwd", rootfs + "/notexec", 0644));
  return base::write_file_atomic(rootfs + "/etc/marker", "image\n", 0644, false);
}

Spec test_spec(const std::string& rootfs, std::vector<std::string> args) {
  DefaultSpecOptions options;
  options.rootfs = rootfs;
  options.args = std::move(args);
  options.hostname = "burrow-test";
  options.rootless = rootless_mode();
  // Under `unshare -Urm` only gid 0 is mapped.
  options.tty_gid_mapped = !rootless_mode();
  Spec spec = make_default_spec(options);
  spec.process.env.push_back("HOME=/");
  return spec;
}

}  // namespace burrow::runtime::test_support

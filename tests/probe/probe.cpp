// burrow-probe: runs inside test containers (often as their pid 1) and prints
// what the container looks like from the inside, one `key=value` per line.
// Built statically so it needs nothing from the image; it makes no NSS calls
// (no getpwnam), which would need the image's libc and config files.
//
//   burrow-probe              all facts
//   burrow-probe write PATH   tries to create PATH: "write=ok" or "write=<errno name>"
//   burrow-probe exit N       prints the facts, then exits with N
#include <fcntl.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read_text(const char* path) {
  std::ifstream in(path);
  if (!in) return "";
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// "0  1000  1\n 1 100000 65536\n" -> "0 1000 1,1 100000 65536"
std::string collapse_map(const std::string& text) {
  std::string out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string word, joined;
    while (words >> word) joined += (joined.empty() ? "" : " ") + word;
    if (joined.empty()) continue;
    if (!out.empty()) out += ',';
    out += joined;
  }
  return out;
}

void print_status_fields() {
  std::istringstream status(read_text("/proc/self/status"));
  std::string line;
  const char* wanted[] = {"CapInh", "CapPrm",     "CapEff", "CapBnd",
                          "CapAmb", "NoNewPrivs", "Seccomp"};
  while (std::getline(status, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    for (const char* w : wanted) {
      if (key != w) continue;
      size_t start = line.find_first_not_of(" \t", colon + 1);
      std::cout << key << '=' << (start == std::string::npos ? "" : line.substr(start)) << '\n';
    }
  }
}

// mountinfo fields: id parent major:minor root mountpoint options ... - fstype source superopts
void print_mounts() {
  std::istringstream info(read_text("/proc/self/mountinfo"));
  std::string line;
  while (std::getline(info, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    std::string word;
    while (fields >> word) f.push_back(word);
    size_t dash = 0;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (f.size() < 6 || dash + 1 >= f.size()) continue;
    std::cout << "mount=" << f[4] << ' ' << f[dash + 1] << ' ' << f[5] << '\n';
  }
}

void print_facts() {
  std::cout << "pid=" << getpid() << '\n';
  std::cout << "uid=" << getuid() << '\n';
  std::cout << "gid=" << getgid() << '\n';
  gid_t groups[256];
  int n = getgroups(256, groups);
  std::cout << "groups=";
  for (int i = 0; i < n; ++i) std::cout << (i ? "," : "") << groups[i];
  std::cout << '\n';
  std::cout << "uid_map=" << collapse_map(read_text("/proc/self/uid_map")) << '\n';
  std::cout << "gid_map=" << collapse_map(read_text("/proc/self/gid_map")) << '\n';
  print_status_fields();
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::cout << "hostname=" << host << '\n';
  char cwd[4096] = {};
  std::cout << "cwd=" << (getcwd(cwd, sizeof cwd) ? cwd : "?") << '\n';
  struct statvfs root;
  std::cout << "root_readonly=" << (statvfs("/", &root) == 0 && (root.f_flag & ST_RDONLY) ? 1 : 0)
            << '\n';
  struct rlimit nofile;
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0)
    std::cout << "nofile_soft=" << nofile.rlim_cur << "\nnofile_hard=" << nofile.rlim_max << '\n';
  std::cout << "umask=" << std::oct << umask(022) << std::dec << '\n';
  print_mounts();
}

int try_write(const char* path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err = errno;
  if (fd >= 0 && write(fd, "probe\n", 6) == 6 && close(fd) == 0) {
    std::cout << "write=ok\n";
    return 0;
  }
  const char* name = strerrorname_np(err);
  std::cout << "write=" << (name ? name : "?") << '\n';
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "write") == 0) return try_write(argv[2]);
  print_facts();
  if (argc == 3 && std::strcmp(argv[1], "exit") == 0) {
    std::cout.flush();
    return std::atoi(argv[2]);
  }
  return 0;
}

#include "cli/context.h"

#include <fmt/core.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <set>

#include "engine/store_config.h"
#include "storage-fuse/rootfs_mount.h"

namespace burrow::cli {

std::vector<std::string> command_words(int argc, const char* const* argv) {
  static const std::set<std::string> kValued = {"--root", "--runroot", "--storage-driver",
                                                "--log-level"};
  std::vector<std::string> words;
  for (int i = 1; i < argc && words.size() < 2; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.empty() || arg.front() != '-') {
      words.push_back(arg);
    } else if (words.empty() && kValued.count(arg)) {
      ++i;  // its value
    } else if (!words.empty()) {
      break;  // the command's own options: what follows may be their values
    }
  }
  return words;
}

bool Context::wanted(const CLI::App& parent, const std::string& name) const {
  size_t depth = 0;
  for (const CLI::App* up = parent.get_parent(); up != nullptr; up = up->get_parent()) ++depth;
  return depth >= words.size() || words[depth] == name;
}

const engine::HostProfile& Context::host() {
  if (!host_) host_ = engine::HostProfile::probe();
  return *host_;
}

Result<std::unique_ptr<engine::Engine>> Context::open_engine(engine::Access access) {
  engine::StoreOptions options{global.root, global.runroot, global.storage_driver};
  BURROW_CHECK(engine::load_store_config(host(), options));
  if (options.storage_driver) BURROW_CHECK(storage::parse_storage_driver(*options.storage_driver));
  return engine::Engine::open(host(), options, access);
}

int report_error(const Error& error) {
  std::string line = fmt::format("Error: {}\n", error.message);
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
  return error.exit_status ? error.exit_status : kExitEngineError;
}

}  // namespace burrow::cli

namespace burrow::cli {

bool confirm(const std::string& warning) {
  std::cout << warning << "Are you sure you want to continue? [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "Yes";
}

}  // namespace burrow::cli

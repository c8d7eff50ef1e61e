// Test helpers for the registry configuration tests: a temporary directory
// removed afterwards, files written into it, and environment variables set
// for one test and restored after it.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/file_util.h"

namespace burrow::registry::testing {

class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    auto made = base::make_temp_dir(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "regconf-");
    EXPECT_TRUE(made) << made.error().message;
    path_ = made.value_or("/nonexistent");
  }
  ~TempDir() { (void)base::remove_tree(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `content` to path()/relative, creating parent directories.
  std::string write(const std::string& relative, const std::string& content) const {
    std::string file = base::path_join(path_, relative);
    std::string parent = file.substr(0, file.rfind('/'));
    EXPECT_TRUE(base::make_dirs(parent, 0755));
    EXPECT_TRUE(base::write_file_atomic(file, content, 0644, false));
    return file;
  }

 private:
  std::string path_;
};

// Sets (or, with nullopt, unsets) environment variables until destroyed.
class ScopedEnv {
 public:
  ScopedEnv& set(const std::string& name, std::optional<std::string> value) {
    const char* old = std::getenv(name.c_str());
    saved_.emplace_back(name, old != nullptr ? std::optional<std::string>(old) : std::nullopt);
    if (value) {
      ::setenv(name.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
    return *this;
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        ::setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        ::unsetenv(it->first.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace burrow::registry::testing

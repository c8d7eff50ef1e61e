// Test helpers: tar archives built in memory with libarchive's write API.
#pragma once

#include <string>
#include <vector>

namespace burrow::image::testing_util {

struct TarMember {
  enum class Kind { kFile, kDirectory, kSymlink, kHardlink };
  std::string name;
  std::string content;  // file data, or the link target
  Kind kind = Kind::kFile;
};

enum class TarFilter { kNone, kGzip, kZstd };

std::string make_tar(const std::vector<TarMember>& members, TarFilter filter = TarFilter::kNone);

}  // namespace burrow::image::testing_util

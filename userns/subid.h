// /etc/subuid and /etc/subgid: the subordinate id ranges a user may map.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace burrow::userns {

struct SubIdRange {
  uint32_t start = 0;
  uint32_t count = 0;
  bool operator==(const SubIdRange&) const = default;
};

// Lines are "owner:start:count" where owner is a user name or a numeric uid,
// as shadow's newuidmap accepts. Comments, blank and malformed lines are
// skipped, as newuidmap itself skips them, so one bad line cannot lock a
// user out.
std::vector<SubIdRange> parse_subid_file(std::string_view content, std::string_view user_name,
                                         uid_t uid);

// Reads the file; a missing file means no ranges.
Result<std::vector<SubIdRange>> read_subid_ranges(const std::string& path,
                                                  std::string_view user_name, uid_t uid);

uint64_t total_ids(const std::vector<SubIdRange>& ranges);

}  // namespace burrow::userns

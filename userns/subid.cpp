#include "userns/subid.h"

#include <charconv>

#include "base/file_util.h"
#include "base/strings.h"

namespace burrow::userns {
namespace {

bool parse_u32(std::string_view text, uint32_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool owner_matches(std::string_view owner, std::string_view user_name, uid_t uid) {
  if (!user_name.empty() && owner == user_name) return true;
  uint32_t numeric = 0;
  return parse_u32(owner, numeric) && numeric == uid;
}

}  // namespace

std::vector<SubIdRange> parse_subid_file(std::string_view content, std::string_view user_name,
                                         uid_t uid) {
  std::vector<SubIdRange> ranges;
  for (const auto& raw_line : base::split(content, '\n')) {
    std::string_view line = base::trim(raw_line);
    if (line.empty() || line.front() == '#') continue;
    auto fields = base::split(line, ':');
    if (fields.size() != 3 || !owner_matches(fields[0], user_name, uid)) continue;
    SubIdRange range;
    if (!parse_u32(fields[1], range.start) || !parse_u32(fields[2], range.count)) continue;
    if (range.count == 0 || uint64_t{range.start} + range.count > uint64_t{UINT32_MAX}) continue;
    ranges.push_back(range);
  }
  return ranges;
}

Result<std::vector<SubIdRange>> read_subid_ranges(const std::string& path,
                                                  std::string_view user_name, uid_t uid) {
  if (!base::path_exists(path)) return std::vector<SubIdRange>{};
  BURROW_TRY(std::string content, base::read_file_limited(path, 16 << 20));
  return parse_subid_file(content, user_name, uid);
}

uint64_t total_ids(const std::vector<SubIdRange>& ranges) {
  uint64_t total = 0;
  for (const auto& range : ranges) total += range.count;
  return total;
}

}  // namespace burrow::userns

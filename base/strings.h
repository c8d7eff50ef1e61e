// String helpers used across modules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace burrow::base {

std::vector<std::string> split(std::string_view text, char separator);
// Fields separated by runs of blanks (spaces, tabs, newlines); no empty ones.
std::vector<std::string> split_whitespace(std::string_view text);
std::string_view trim(std::string_view text);
// ASCII letters in lower case; other bytes unchanged (HTTP header names, schemes).
std::string ascii_lower(std::string_view text);
bool starts_with(std::string_view text, std::string_view prefix);
std::string join(const std::vector<std::string>& parts, std::string_view separator);
// Human sizes the way Podman prints them: "4.49 MB", "1.2 kB".
std::string human_size(uint64_t bytes);
// "2 minutes ago", "About an hour ago", as Podman's CREATED columns.
std::string human_duration_ago(int64_t seconds);

}  // namespace burrow::base

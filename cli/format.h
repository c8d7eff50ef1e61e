// The --format Go-template forms that scripts use with Podman: "{{.Field}}",
// "{{.A.B}}", "{{json .}}", "{{json .Field}}", "table ..." with a header row,
// and \t / \n escapes. Values are nlohmann::json objects built by each command.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.h"

namespace burrow::cli {

class Template {
 public:
  // `headers` maps a field name to its column title for "table" formats
  // ("ID" -> "IMAGE ID"); fields not listed are shown upper-cased.
  static Result<Template> parse(std::string format,
                                const std::map<std::string, std::string>& headers = {});

  bool is_table() const { return table_; }
  std::string header() const;
  Result<std::string> render(const nlohmann::json& value) const;

 private:
  struct Piece {
    bool action = false;
    bool json = false;
    std::vector<std::string> path;  // empty path means "."
    std::string text;               // literal text, or the action as written
  };
  std::vector<Piece> pieces_;
  bool table_ = false;
  std::map<std::string, std::string> headers_;
};

// Renders each row (a table gets its header first and aligned columns, as
// Go's tabwriter does with Podman's settings) and returns the output.
Result<std::string> render_rows(const Template& tmpl, const std::vector<nlohmann::json>& rows);

// Aligns tab-separated cells into columns: minimum width 12, padding 2.
std::string align_columns(const std::vector<std::vector<std::string>>& rows);

}  // namespace burrow::cli

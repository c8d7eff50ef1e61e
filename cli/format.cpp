#include "cli/format.h"

#include <algorithm>
#include <cctype>

#include "base/strings.h"

namespace burrow::cli {
namespace {

std::string unescape(std::string text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 't' || text[i + 1] == 'n')) {
      out += text[i + 1] == 't' ? '\t' : '\n';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

Result<std::vector<std::string>> parse_path(std::string_view expr, std::string_view whole) {
  if (expr == ".") return std::vector<std::string>{};
  if (expr.empty() || expr.front() != '.')
    return base::failf(EINVAL,
                       "template: unsupported action \"{{{{{}}}}}\": use {{{{.Field}}}} or "
                       "{{{{json .Field}}}}",
                       whole);
  std::vector<std::string> path;
  for (const auto& part : base::split(expr.substr(1), '.')) {
    if (part.empty()) return base::failf(EINVAL, "template: bad field path in \"{}\"", whole);
    path.push_back(part);
  }
  return path;
}

std::string plain(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "<no value>";
  if (value.is_array()) {
    // Go prints slices as [a b c].
    std::string out = "[";
    for (size_t i = 0; i < value.size(); ++i) out += (i ? " " : "") + plain(value[i]);
    return out + "]";
  }
  if (value.is_object()) {
    std::string out = "map[";
    bool first = true;
    for (const auto& [key, item] : value.items()) {
      out += (first ? "" : " ") + key + ":" + plain(item);
      first = false;
    }
    return out + "]";
  }
  return value.dump();
}

}  // namespace

Result<Template> Template::parse(std::string format,
                                 const std::map<std::string, std::string>& headers) {
  Template tmpl;
  tmpl.headers_ = headers;
  std::string_view text = base::trim(format);
  if (base::starts_with(text, "table")) {
    tmpl.table_ = true;
    format = std::string(base::trim(text.substr(5)));
  }
  format = unescape(std::move(format));
  size_t pos = 0;
  while (pos < format.size()) {
    size_t open = format.find("{{", pos);
    if (open == std::string::npos) {
      tmpl.pieces_.push_back({false, false, {}, format.substr(pos)});
      break;
    }
    if (open > pos) tmpl.pieces_.push_back({false, false, {}, format.substr(pos, open - pos)});
    size_t close = format.find("}}", open);
    if (close == std::string::npos)
      return base::failf(EINVAL, "template: unclosed action in \"{}\"", format);
    std::string whole = format.substr(open + 2, close - open - 2);
    std::string_view expr = base::trim(whole);
    Piece piece{true, false, {}, whole};
    if (base::starts_with(expr, "json ")) {
      piece.json = true;
      expr = base::trim(expr.substr(5));
    }
    BURROW_TRY(piece.path, parse_path(expr, whole));
    tmpl.pieces_.push_back(std::move(piece));
    pos = close + 2;
  }
  return tmpl;
}

std::string Template::header() const {
  std::string out;
  for (const auto& piece : pieces_) {
    if (!piece.action) {
      out += piece.text;
      continue;
    }
    std::string field = piece.path.empty() ? "" : piece.path.back();
    auto it = headers_.find(field);
    if (it != headers_.end()) {
      out += it->second;
    } else {
      std::transform(field.begin(), field.end(), field.begin(),
                     [](unsigned char c) { return std::toupper(c); });
      out += field;
    }
  }
  return out;
}

Result<std::string> Template::render(const nlohmann::json& value) const {
  std::string out;
  for (const auto& piece : pieces_) {
    if (!piece.action) {
      out += piece.text;
      continue;
    }
    const nlohmann::json* current = &value;
    for (const auto& field : piece.path) {
      if (!current->is_object() || !current->contains(field))
        return base::failf(EINVAL, "template: can't evaluate field {} in \"{{{{{}}}}}\"", field,
                           piece.text);
      current = &(*current)[field];
    }
    out += piece.json ? current->dump() : plain(*current);
  }
  return out;
}

std::string align_columns(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows)
    for (size_t i = 0; i + 1 < row.size(); ++i) {
      if (widths.size() <= i) widths.resize(i + 1, 0);
      widths[i] = std::max(widths[i], row[i].size());
    }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(std::max<size_t>(12, widths[i] + 2) - row[i].size(), ' ');
    }
    out += line + "\n";
  }
  return out;
}

Result<std::string> render_rows(const Template& tmpl, const std::vector<nlohmann::json>& rows) {
  std::vector<std::string> lines;
  if (tmpl.is_table()) lines.push_back(tmpl.header());
  for (const auto& row : rows) {
    BURROW_TRY(std::string line, tmpl.render(row));
    lines.push_back(std::move(line));
  }
  if (!tmpl.is_table()) {
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& line : lines) cells.push_back(base::split(line, '\t'));
  return align_columns(cells);
}

}  // namespace burrow::cli

#include "registry/www_authenticate.h"

#include <cctype>

#include "base/strings.h"

namespace burrow::registry {
namespace {

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}
  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  void skip_space() {
    while (!done() && (peek() == ' ' || peek() == '\t')) ++pos_;
  }
  void skip_separators() {
    while (!done() && (peek() == ' ' || peek() == '\t' || peek() == ',')) ++pos_;
  }
  std::string token() {
    size_t start = pos_;
    while (!done() && is_token_char(peek())) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }
  // A quoted-string with backslash escapes, or a bare token.
  std::string value() {
    if (peek() != '"') return token();
    ++pos_;
    std::string out;
    while (!done() && peek() != '"') {
      if (peek() == '\\' && pos_ + 1 < text_.size()) ++pos_;
      out += text_[pos_++];
    }
    if (!done()) ++pos_;
    return out;
  }
  size_t position() const { return pos_; }
  void rewind(size_t position) { pos_ = position; }
  void advance() { ++pos_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// Reads "name=value" at the scanner; false (scanner unmoved) when what
// follows is the next challenge's scheme instead.
bool read_param(Scanner& scanner, Challenge& challenge) {
  size_t start = scanner.position();
  std::string name = scanner.token();
  scanner.skip_space();
  if (name.empty() || scanner.peek() != '=') {
    scanner.rewind(start);
    return false;
  }
  scanner.advance();
  scanner.skip_space();
  challenge.params[base::ascii_lower(name)] = scanner.value();
  return true;
}

}  // namespace

std::vector<Challenge> parse_www_authenticate(std::string_view header) {
  std::vector<Challenge> challenges;
  Scanner scanner(header);
  scanner.skip_separators();
  while (!scanner.done()) {
    std::string scheme = scanner.token();
    if (scheme.empty()) {
      scanner.advance();  // junk: skip a character and look again
      scanner.skip_separators();
      continue;
    }
    Challenge challenge{base::ascii_lower(scheme), {}};
    scanner.skip_space();
    while (!scanner.done() && read_param(scanner, challenge)) scanner.skip_separators();
    challenges.push_back(std::move(challenge));
    scanner.skip_separators();
  }
  return challenges;
}

}  // namespace burrow::registry

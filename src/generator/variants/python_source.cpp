#include "generator/variants/python_source.h"

#include <algorithm>
#include <array>
#include <set>

namespace warpsynth::generator::variants {
namespace {

bool name_start(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c & 0x80); }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

// The operators of more than one character, longest first.
constexpr std::array<std::string_view, 23> kLongOperators = {
    "**=", "//=", ">>=", "<<=", "...", "->", "==", "!=", "<=", ">=", "+=", "-=",
    "*=",  "/=",  "%=",  "&=",  "|=",  "^=", "**", "//", "<<", ">>", ":="};

// Where a string that opens at `at` (its quote, after any prefix) ends: one past its closing quote.
std::size_t string_end(const std::string& text, std::size_t at, int& line) {
  const char quote = text[at];
  const bool triple = text.compare(at, 3, std::string(3, quote)) == 0;
  std::size_t i = at + (triple ? 3 : 1);
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++line;
      i += 2;
      continue;
    }
    if (c == '\n') {
      if (!triple) throw SourceError("line " + std::to_string(line) + ": a string not closed on its line");
      ++line;
    }
    if (c == quote && (!triple || text.compare(i, 3, std::string(3, quote)) == 0)) return i + (triple ? 3 : 1);
    ++i;
  }
  throw SourceError("a string not closed before the end of the text");
}

}  // namespace

bool is_python_keyword(std::string_view word) {
  static const std::set<std::string_view> kKeywords = {
      "False", "None",   "True",    "and",    "as",   "assert", "async", "await",    "break",  "class", "continue",
      "def",   "del",    "elif",    "else",   "except", "finally", "for", "from",    "global", "if",    "import",
      "in",    "is",     "lambda",  "nonlocal", "not", "or",      "pass", "raise",   "return", "try",   "while",
      "with",  "yield"};
  return kKeywords.count(word) != 0;
}

PythonSource::PythonSource(std::string text) : text_(std::move(text)) {
  tokenize();
  split_lines();
  find_functions();
}

void PythonSource::tokenize() {
  const std::string& s = text_;
  int line = 1, depth = 0;
  bool line_has_tokens = false;  // the logical line so far holds a token other than a comment
  std::size_t i = 0;
  // A token of [i, end) that began on line `at_line`; the scan goes on after it.
  auto take = [&](TokenKind kind, std::size_t end, int at_line) {
    tokens_.push_back({kind, i, end, at_line, depth});
    if (kind != TokenKind::kComment) line_has_tokens = true;
    i = end;
  };
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\n') {
      if (depth == 0 && line_has_tokens) {  // the end of a logical line
        tokens_.push_back({TokenKind::kNewline, i, i + 1, line, depth});
        line_has_tokens = false;
      }
      ++line;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
      ++i;
      continue;
    }
    if (c == '\\' && i + 1 < s.size() && s[i + 1] == '\n') {  // a continued line
      i += 2;
      ++line;
      continue;
    }
    if (c == '#') {
      const std::size_t end = s.find('\n', i);
      take(TokenKind::kComment, end == std::string::npos ? s.size() : end, line);
      continue;
    }
    // A string, after any prefix (r, b, f, u, rb, ...) directly before its quote.
    std::size_t quote = i;
    while (quote < s.size() && quote - i < 2 && std::string_view("rRbBuUfF").find(s[quote]) != std::string_view::npos) ++quote;
    if (quote < s.size() && (s[quote] == '\'' || s[quote] == '"')) {
      const int at_line = line;
      take(TokenKind::kString, string_end(s, quote, line), at_line);
      continue;
    }
    if (name_start(c)) {
      std::size_t end = i;
      while (end < s.size() && name_char(s[end])) ++end;
      take(TokenKind::kName, end, line);
      continue;
    }
    if (digit(c) || (c == '.' && i + 1 < s.size() && digit(s[i + 1]))) {
      std::size_t end = i;
      const bool hex = c == '0' && i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X');
      while (end < s.size()) {
        const char d = s[end];
        if (name_char(d) || d == '.') {
          ++end;
        } else if ((d == '+' || d == '-') && !hex && (s[end - 1] == 'e' || s[end - 1] == 'E')) {
          ++end;  // an exponent's sign
        } else {
          break;
        }
      }
      take(TokenKind::kNumber, end, line);
      continue;
    }
    std::size_t length = 1;
    for (std::string_view op : kLongOperators) {
      if (s.compare(i, op.size(), op) == 0) {
        length = op.size();
        break;
      }
    }
    if (length == 1 && (c == ')' || c == ']' || c == '}')) {
      if (depth == 0) throw SourceError("line " + std::to_string(line) + ": a closing bracket without its opening one");
      --depth;
    }
    take(TokenKind::kOperator, i + length, line);
    if (length == 1 && (c == '(' || c == '[' || c == '{')) ++depth;
  }
  if (depth != 0) throw SourceError("a bracket not closed before the end of the text");
  if (line_has_tokens) tokens_.push_back({TokenKind::kNewline, s.size(), s.size(), line, depth});
}

void PythonSource::split_lines() {
  line_of_token_.assign(tokens_.size(), std::string::npos);
  std::size_t first = std::string::npos;  // the current logical line's first token
  for (std::size_t t = 0; t < tokens_.size(); ++t) {
    const Token& token = tokens_[t];
    if (token.kind == TokenKind::kNewline) {
      if (first == std::string::npos) continue;
      LogicalLine l;
      l.first_token = first;
      l.end_token = t;
      const std::size_t begin = tokens_[first].begin;
      const std::size_t line_start = text_.rfind('\n', begin == 0 ? 0 : begin - 1);
      l.text_begin = (line_start == std::string::npos || begin == 0) ? 0 : line_start + 1;
      l.text_end = std::min(token.end, text_.size());
      l.indent = static_cast<int>(begin - l.text_begin);
      for (std::size_t k = first; k <= t; ++k) line_of_token_[k] = lines_.size();
      lines_.push_back(l);
      first = std::string::npos;
      continue;
    }
    if (first == std::string::npos && token.kind == TokenKind::kComment) continue;  // a comment line
    if (first == std::string::npos) first = t;
  }
}

void PythonSource::find_functions() {
  for (std::size_t l = 0; l < lines_.size(); ++l) {
    const LogicalLine& header = lines_[l];
    if (spelling(header.first_token) != "def" || header.end_token - header.first_token < 2) continue;
    FunctionBlock f;
    f.name = std::string(spelling(header.first_token + 1));
    f.def_line = l;
    f.top_level = header.indent == 0;
    f.body_token = header.end_token;
    for (std::size_t t = header.first_token; t < header.end_token; ++t) {
      if (tokens_[t].depth == 0 && spelling(t) == ":") {
        f.body_token = t + 1;
        break;
      }
    }
    f.end_line = l + 1;
    if (f.body_token == header.end_token) {  // the body on the lines below
      while (f.end_line < lines_.size() && lines_[f.end_line].indent > header.indent) ++f.end_line;
      if (f.end_line > l + 1) f.body_token = lines_[l + 1].first_token;
    }
    for (std::size_t d = l; d > 0 && lines_[d - 1].indent == header.indent && spelling(lines_[d - 1].first_token) == "@"; --d) {
      std::string decorator;
      for (std::size_t t = lines_[d - 1].first_token + 1; t < lines_[d - 1].end_token && spelling(t) != "("; ++t) {
        decorator += spelling(t);
      }
      f.decorators.insert(f.decorators.begin(), decorator);
    }
    functions_.push_back(std::move(f));
  }
}

std::size_t PythonSource::line_of(std::size_t token) const { return line_of_token_.at(token); }

std::vector<std::string> PythonSource::identifiers() const {
  std::set<std::string> names;
  for (const Token& t : tokens_) {
    if (t.kind == TokenKind::kName) names.emplace(spelling(t));
  }
  return {names.begin(), names.end()};
}

}  // namespace warpsynth::generator::variants

#include "dataset/normalize.h"

#include <algorithm>
#include <map>

namespace warpsynth {
namespace {

std::string identifier_safe(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) c = '_';
  }
  return out;
}

bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string_view rstrip(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// `// <anything>:<digits>` starting in column 0: the function location comments Warp emits.
bool is_location_comment(std::string_view line) {
  if (line.substr(0, 3) != "// ") return false;
  auto colon = line.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == line.size()) return false;
  for (char c : line.substr(colon + 1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool is_line_directive(std::string_view line) {
  auto first = line.find_first_not_of(" \t");
  return first != std::string_view::npos && line.substr(first, 6) == "#line ";
}

// A trailing `<L 123>` tag: where it starts and its number; npos when the line has none.
std::pair<size_t, int> source_line_tag(std::string_view line) {
  if (line.empty() || line.back() != '>') return {std::string_view::npos, 0};
  auto open = line.rfind("<L ");
  if (open == std::string_view::npos || open + 4 >= line.size()) return {std::string_view::npos, 0};
  int number = 0;
  for (char c : line.substr(open + 3, line.size() - open - 4)) {
    if (c < '0' || c > '9' || number > 100'000'000) return {std::string_view::npos, 0};
    number = number * 10 + (c - '0');
  }
  return {open, number};
}

// Every occurrence of `from` replaced by `to`, in one pass (replacing in place would move the
// rest of a long unit once per occurrence).
std::string replace_all(const std::string& text, const std::string& from, const std::string& to) {
  size_t at = from.empty() ? std::string::npos : text.find(from);
  if (at == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  for (; at != std::string::npos; at = text.find(from, copied)) {
    out.append(text, copied, at - copied).append(to);
    copied = at + from.size();
  }
  out.append(text, copied);
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string rename_function_identifiers(const std::string& text,
                                        const std::vector<std::pair<std::string, std::string>>& renames) {
  if (renames.empty()) return text;
  std::map<std::string, std::string, std::less<>> table(renames.begin(), renames.end());
  static constexpr std::string_view kPrefixes[] = {"adj_", "replay_"};
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;  // text[0, copied) is in `out`; the rest is copied in runs, up to each rename
  size_t i = 0;
  while (i < text.size()) {
    if (!is_identifier_char(text[i])) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < text.size() && is_identifier_char(text[j])) ++j;
    // Numbers are skipped whole so that `1e5` or `0x1f` never start an identifier.
    if (is_digit(text[i])) {
      i = j;
      continue;
    }
    std::string_view token(text.data() + i, j - i);
    std::string_view prefix;
    auto hit = table.find(token);
    for (auto p : kPrefixes) {
      if (hit != table.end()) break;
      if (token.substr(0, p.size()) != p) continue;
      hit = table.find(token.substr(p.size()));
      prefix = p;
    }
    if (hit != table.end()) {
      out.append(text, copied, i - copied).append(prefix).append(hit->second);
      copied = j;
    }
    i = j;
  }
  out.append(text, copied);
  return out;
}

}  // namespace

NameRenames renames_from(const std::pair<std::string, std::string>& kernel, const NamePairs& structs,
                         const NamePairs& functions) {
  NameRenames renames;
  if (!kernel.first.empty()) renames.hashed.emplace_back(kernel.first, identifier_safe(kernel.second));
  for (const auto& [native, key] : structs) renames.hashed.emplace_back(native, identifier_safe(key));
  std::map<std::string, int> next_index;
  for (const auto& [c_name, raw_key] : functions) {
    std::string key = identifier_safe(raw_key);
    renames.functions.emplace_back(c_name, key + "_" + std::to_string(next_index[key]++));
  }
  // Longest first, so a name that contains another is replaced before it.
  std::stable_sort(renames.hashed.begin(), renames.hashed.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  return renames;
}

std::string normalize_generated_code(std::string_view code, const NameRenames& renames, const LineMap* lines) {
  std::string out;
  out.reserve(code.size());
  // The file whose lines the `<L n>` tags count: a function's, from the location comment Warp
  // writes above it, until the `}` that closes it; the kernel's everywhere else.
  std::string_view file = lines ? std::string_view(lines->kernel_file) : std::string_view();
  size_t start = 0;
  while (start <= code.size()) {
    size_t end = code.find('\n', start);
    bool last = end == std::string_view::npos;
    std::string_view line = code.substr(start, last ? std::string_view::npos : end - start);
    if (!(last && line.empty())) {
      if (is_location_comment(line)) {
        if (lines) file = line.substr(3, line.rfind(':') - 3);
      } else if (!is_line_directive(line)) {
        std::string_view text = rstrip(line);
        auto [tag, number] = source_line_tag(text);
        int mapped = tag == std::string_view::npos || !lines ? 0 : lines->map(file, number);
        if (mapped > 0) {
          out.append(text.substr(0, tag + 3)).append(std::to_string(mapped)).push_back('>');
        } else {
          out.append(rstrip(tag == std::string_view::npos ? text : text.substr(0, tag)));
        }
        if (!last) out.push_back('\n');
        if (lines && text == "}") file = lines->kernel_file;
      }
    }
    if (last) break;
    start = end + 1;
  }
  for (const auto& [from, to] : renames.hashed) out = replace_all(out, from, to);
  return rename_function_identifiers(out, renames.functions);
}

std::string normalize_python(std::string_view source) {
  std::string out;
  out.reserve(source.size() + 1);
  size_t start = 0;
  while (start < source.size()) {
    size_t end = source.find('\n', start);
    std::string_view line = source.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    out.append(rstrip(line));
    out.push_back('\n');
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  while (out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
  if (out == "\n") out.clear();
  return out;
}

}  // namespace warpsynth

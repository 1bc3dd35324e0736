#include "generator/variants/variant_maker.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "dedup/shingles.h"
#include "generator/variants/other_names.h"
#include "generator/variants/python_source.h"
#include "model/catalog.h"

namespace warpsynth::generator::variants {
namespace {

constexpr std::size_t npos = std::string::npos;

struct Replacement {
  std::size_t begin, end;
  std::string text;
};

// The text with each range replaced; ranges do not overlap.
std::string apply(const std::string& text, std::vector<Replacement> replacements) {
  std::sort(replacements.begin(), replacements.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });
  std::string out;
  std::size_t at = 0;
  for (const Replacement& r : replacements) {
    if (r.begin < at) continue;  // overlapping: the first one stands
    out.append(text, at, r.begin - at);
    out += r.text;
    at = r.end;
  }
  out.append(text, at, npos);
  return out;
}

bool is_name(const PythonSource& src, std::size_t t) { return src.tokens()[t].kind == TokenKind::kName; }
bool spelled(const PythonSource& src, std::size_t t, std::string_view s) {
  return t < src.tokens().size() && src.spelling(t) == s;
}

// Names a statement binds at its own depth: `a = ...`, `a, b = ...`, `a: T = ...`, `for a, b in ...`;
// a clause header (`if`, `while`, `with`, `else`) binds none.
std::vector<std::size_t> bound_name_tokens(const PythonSource& src, const LogicalLine& line) {
  std::vector<std::size_t> out;
  const int depth = src.tokens()[line.first_token].depth;
  auto plain_names = [&](std::size_t from, std::size_t to) {
    for (std::size_t t = from; t < to; ++t) {
      if (!is_name(src, t) || src.tokens()[t].depth != depth || is_python_keyword(src.spelling(t))) continue;
      if (t > from && spelled(src, t - 1, ".")) continue;
      if (t + 1 < to && (spelled(src, t + 1, ".") || spelled(src, t + 1, "[") || spelled(src, t + 1, "("))) continue;
      out.push_back(t);
    }
  };
  if (spelled(src, line.first_token, "for")) {
    for (std::size_t t = line.first_token + 1; t < line.end_token; ++t) {
      if (spelled(src, t, "in") && src.tokens()[t].depth == depth) {
        plain_names(line.first_token + 1, t);
        break;
      }
    }
    return out;
  }
  // The target is before the `=`, or the one name before the annotation of an annotated
  // assignment (`x: float = ...`). The `:` of a clause (`if count > 0:`) binds nothing.
  if (spelled(src, line.first_token + 1, ":") && is_name(src, line.first_token)) {
    plain_names(line.first_token, line.first_token + 1);
    return out;
  }
  for (std::size_t t = line.first_token; t < line.end_token; ++t) {
    if (src.tokens()[t].depth == depth && src.spelling(t) == ":") break;
    if (src.tokens()[t].depth == depth && src.spelling(t) == "=") {
      plain_names(line.first_token, t);
      break;
    }
  }
  return out;
}

// The parameters of a `def` header.
std::vector<std::size_t> parameter_tokens(const PythonSource& src, const LogicalLine& header) {
  std::vector<std::size_t> out;
  const int depth = src.tokens()[header.first_token].depth + 1;
  for (std::size_t t = header.first_token + 2; t < header.end_token; ++t) {
    if (!is_name(src, t) || src.tokens()[t].depth != depth) continue;
    const std::string_view before = src.spelling(t - 1);
    if (before != "(" && before != "," && before != "*" && before != "**") continue;
    out.push_back(t);
  }
  return out;
}

bool is_def_header(const PythonSource& src, const LogicalLine& line) { return spelled(src, line.first_token, "def"); }

// A keyword argument of a call (`f(x=...)`); a parameter's default in a `def` is not one.
bool is_keyword_argument(const PythonSource& src, std::size_t t) {
  if (!is_name(src, t) || src.tokens()[t].depth == 0 || !spelled(src, t + 1, "=") ||
      !(spelled(src, t - 1, "(") || spelled(src, t - 1, ",")))
    return false;
  const std::size_t line = src.line_of(t);
  return line == npos || !is_def_header(src, src.logical_lines()[line]);
}

// The token range of a function: its `def` line to its last line.
std::pair<std::size_t, std::size_t> token_range(const PythonSource& src, const FunctionBlock& f) {
  const auto& lines = src.logical_lines();
  return {lines[f.def_line].first_token, lines[f.end_line - 1].end_token};
}

// Names the module binds at its top level (imports, functions, classes, constants) and the fields
// of its classes: never renamed, as other code reaches them by name.
std::set<std::string, std::less<>> module_names(const PythonSource& src) {
  std::set<std::string, std::less<>> names = {"wp", "self", "cls", "_"};
  const auto& lines = src.logical_lines();
  for (std::size_t l = 0; l < lines.size(); ++l) {
    const LogicalLine& line = lines[l];
    const std::string_view first = src.spelling(line.first_token);
    if (line.indent == 0) {
      if (first == "def" || first == "class") names.emplace(src.spelling(line.first_token + 1));
      if (first == "import" || first == "from") {
        for (std::size_t t = line.first_token; t < line.end_token; ++t) {
          if (is_name(src, t)) names.emplace(src.spelling(t));
        }
      }
      for (std::size_t t : bound_name_tokens(src, line)) names.emplace(src.spelling(t));
    } else if (first != "def" && is_name(src, line.first_token)) {
      // A class body's fields (`pos: wp.vec3`): reached as attributes, by their names.
      std::size_t owner = l;
      while (owner > 0 && lines[owner].indent >= line.indent) --owner;
      if (spelled(src, lines[owner].first_token, "class")) names.emplace(first);
    }
  }
  // Names spelled in strings outside functions (`wp.overload(k, {"src": ...})`) are reached by them.
  std::vector<bool> in_function(src.tokens().size(), false);
  for (const FunctionBlock& f : src.functions()) {
    const auto [first, last] = token_range(src, f);
    std::fill(in_function.begin() + static_cast<long>(first), in_function.begin() + static_cast<long>(last), true);
  }
  for (std::size_t t = 0; t < src.tokens().size(); ++t) {
    if (in_function[t] || src.tokens()[t].kind != TokenKind::kString) continue;
    std::string_view text = src.spelling(t);
    const std::size_t open = text.find_first_of("'\"");
    if (open == npos || text.size() < open + 2) continue;
    text = text.substr(open + 1, text.size() - open - 2);
    if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c == '_' || std::isalnum(static_cast<unsigned char>(c)); }))
      names.emplace(text);
  }
  // Names passed as keywords (`f(x=...)`) keep their spelling: a parameter renamed would break the call.
  for (std::size_t t = 1; t + 1 < src.tokens().size(); ++t) {
    if (is_keyword_argument(src, t)) names.emplace(src.spelling(t));
  }
  return names;
}

// A function whose names only its own Python reads: `@wp.kernel` or `@wp.func` alone. A native
// function's snippet (`@wp.func_native`), a custom adjoint's pairing (`@wp.func_grad(f)`) or an
// overload declaration reach its parameters by name from elsewhere.
bool plain_warp_function(const FunctionBlock& f) {
  return !f.decorators.empty() && std::all_of(f.decorators.begin(), f.decorators.end(), [](const std::string& d) {
    return d == "wp.kernel" || d == "wp.func";
  });
}

// The name tokens of the `wp.<name>(` calls in the bodies of the module's functions (methods of
// classes too), or of its top-level functions only (a nested function is in its enclosing one's
// body), in order.
std::vector<std::size_t> builtin_call_sites(const PythonSource& src, bool top_level_only) {
  std::set<std::size_t> sites;
  for (const FunctionBlock& f : src.functions()) {
    if (top_level_only && !f.top_level) continue;
    const std::size_t last = token_range(src, f).second;
    for (std::size_t t = f.body_token + 2; t + 1 < last; ++t) {
      if (spelled(src, t - 2, "wp") && spelled(src, t - 1, ".") && spelled(src, t + 1, "(") && is_name(src, t))
        sites.insert(t);
    }
  }
  return {sites.begin(), sites.end()};
}

std::vector<std::string> distinct_spellings(const PythonSource& src, const std::vector<std::size_t>& tokens) {
  std::set<std::string> names;
  for (std::size_t t : tokens) names.emplace(src.spelling(t));
  return {names.begin(), names.end()};
}

// `word` replaced by `by` where it stands as a whole word in a comment or a string.
std::string rename_in_text(std::string_view text, std::string_view word, std::string_view by) {
  auto name_char = [](char c) { return c == '_' || std::isalnum(static_cast<unsigned char>(c)); };
  std::string out;
  std::size_t at = 0;
  while (true) {
    const std::size_t hit = text.find(word, at);
    if (hit == npos) break;
    const bool starts = hit == 0 || !name_char(text[hit - 1]);
    const bool ends = hit + word.size() == text.size() || !name_char(text[hit + word.size()]);
    out.append(text.substr(at, hit - at));
    out.append(starts && ends ? by : word);
    at = hit + word.size();
  }
  out.append(text.substr(at));
  return out;
}

class Editor {
 public:
  Editor(const VariantPolicy& policy, const BuiltinSwaps& swaps, Rng& rng, bool every_edit)
      : policy_(policy), swaps_(swaps), rng_(rng), every_(every_edit) {}

  std::vector<std::string> edits;

  std::string reorder(const std::string& text) {
    if (!chance(policy_.p_reorder)) return text;
    const PythonSource src(text);
    std::vector<std::pair<std::size_t, std::size_t>> pairs;  // adjacent independent assignments
    const auto& lines = src.logical_lines();
    for (const FunctionBlock& f : src.functions()) {
      if (!f.top_level) continue;
      for (std::size_t l = f.def_line + 1; l + 1 < f.end_line; ++l) {
        if (independent(src, lines[l], lines[l + 1])) pairs.emplace_back(l, l + 1);
      }
    }
    if (pairs.empty()) return text;
    const auto [a, b] = pairs[rng_.index(pairs.size())];
    std::string first = text.substr(lines[a].text_begin, lines[a].text_end - lines[a].text_begin);
    std::string second = text.substr(lines[b].text_begin, lines[b].text_end - lines[b].text_begin);
    if (second.empty() || second.back() != '\n') {
      second += '\n';
      if (!first.empty() && first.back() == '\n') first.pop_back();
    }
    edits.push_back(fmt::format("reorder lines {} and {}", src.tokens()[lines[a].first_token].line,
                                src.tokens()[lines[b].first_token].line));
    return apply(text, {{lines[a].text_begin, lines[b].text_end, second + first}});
  }

  std::string edit_tokens(const std::string& text) {
    const PythonSource src(text);
    std::vector<Replacement> out;
    rename(src, out);
    tune_constants(src, out);
    swap_builtin(src, out);
    loop_form(src, out);
    return apply(text, std::move(out));
  }

 private:
  bool chance(double p) { return every_ || rng_.chance(p); }

  // Two adjacent one-name assignments, each reading nothing the other writes, with nothing
  // between them, neither with an effect beyond its target (atomics, random state, printing).
  static bool independent(const PythonSource& src, const LogicalLine& a, const LogicalLine& b) {
    if (a.indent != b.indent || a.text_end != b.text_begin) return false;
    std::string target[2];
    std::set<std::string_view> reads[2];
    const LogicalLine* lines[2] = {&a, &b};
    for (int k = 0; k < 2; ++k) {
      const LogicalLine& line = *lines[k];
      const auto bound = bound_name_tokens(src, line);
      if (bound.size() != 1 || bound[0] != line.first_token) return false;
      if (!spelled(src, line.first_token + 1, "=") && !spelled(src, line.first_token + 1, ":")) return false;
      target[k] = std::string(src.spelling(line.first_token));
      for (std::size_t t = line.first_token + 1; t < line.end_token; ++t) {
        if (!is_name(src, t)) continue;
        const std::string_view s = src.spelling(t);
        if (s == "tid" || s == "print" || s == "printf" || s.find("atomic") != npos || s.find("rand") != npos ||
            s.find("tile") != npos || s.find("sample") != npos)
          return false;
        reads[k].insert(s);
      }
    }
    if (target[0] == target[1] || reads[1].count(target[0]) || reads[0].count(target[1])) return false;
    // Parallel statements (i0, i1; pose_l, pose_r; x_lo, x_hi) are written in their order by a
    // person: targets that share a first or a last letter, or statements of one shape, stay.
    const std::string& x = target[0];
    const std::string& y = target[1];
    if (x[0] == y[0] || x.back() == y.back()) return false;  // v0, v1; pose_l, pose_r; lo_x, lo_y
    if (x.size() == y.size() &&  // x, y; ix, iy: one letter apart
        std::inner_product(x.begin(), x.end(), y.begin(), 0, std::plus<>(), std::not_equal_to<>()) == 1)
      return false;
    return shape_of(src, a) != shape_of(src, b);
  }

  // A statement's tokens with names and numbers as placeholders.
  static std::string shape_of(const PythonSource& src, const LogicalLine& line) {
    std::string out;
    for (std::size_t t = line.first_token; t < line.end_token; ++t) {
      const TokenKind kind = src.tokens()[t].kind;
      if (kind == TokenKind::kComment) continue;
      out += kind == TokenKind::kName && !(t > 0 && spelled(src, t - 1, ".")) ? std::string_view("N")
             : kind == TokenKind::kNumber                                    ? std::string_view("0")
                                                                             : src.spelling(t);
      out += ' ';
    }
    return out;
  }

  // What the statement that first binds a name binds it to: the thread's index (`i = wp.tid()`,
  // a single target), a loop's counter, or anything else.
  static NameRole role_of(const PythonSource& src, const LogicalLine& line, std::size_t names_bound) {
    if (spelled(src, line.first_token, "for")) return NameRole::kLoopCounter;
    const std::size_t t = line.first_token;
    if (names_bound == 1 && spelled(src, t + 1, "=") && spelled(src, t + 2, "wp") && spelled(src, t + 3, ".") &&
        spelled(src, t + 4, "tid") && t + 7 == line.end_token)
      return NameRole::kThreadIndex;
    return NameRole::kOther;
  }

  // The parts of a name between its underscores, empty ones included (`_x` is "", "x").
  static std::vector<std::string> split_at_underscores(const std::string& name) {
    std::vector<std::string> parts;
    for (std::size_t at = 0;;) {
      const std::size_t next = name.find('_', at);
      parts.push_back(name.substr(at, next == npos ? npos : next - at));
      if (next == npos) return parts;
      at = next + 1;
    }
  }

  static std::vector<std::string> parts_of(const std::string& name) {
    std::vector<std::string> parts = split_at_underscores(name);
    std::erase(parts, std::string());
    return parts;
  }

  // `name` with each part of it spelled as this module spells that part: the first name with a
  // part decides, by the policy's chance, whether and how it is spelled otherwise.
  std::string respelled_by_parts(const std::string& name, std::map<std::string, std::string, std::less<>>& spelling) {
    if (name.find('_') == npos) return name;
    std::string out;
    for (const std::string& part : split_at_underscores(name)) {
      auto it = spelling.find(part);
      if (it == spelling.end()) {
        const std::vector<std::string> others = other_spellings_of_part(part);
        const std::string chosen = (!others.empty() && chance(policy_.p_rename)) ? others[rng_.index(others.size())] : part;
        it = spelling.emplace(part, chosen).first;
        // The group's other spellings keep theirs: `prev` -> `previous` with `previous` -> `prev`
        // would cross two conventions in one module.
        if (chosen != part) {
          for (const std::string& other : others) spelling.emplace(other, other);
        }
      }
      out += it->second;
      out += '_';
    }
    out.pop_back();  // the parts joined by underscores, as they were
    return out;
  }

  void rename(const PythonSource& src, std::vector<Replacement>& out) {
    const auto fixed = module_names(src);
    std::set<std::string> taken;
    for (const std::string& name : src.identifiers()) taken.insert(name);
    const auto& lines = src.logical_lines();
    // Where any function is declared otherwise (a custom adjoint, an overload), parameters keep
    // their names everywhere: Warp pairs those declarations with their functions.
    const bool keep_parameters = std::any_of(src.functions().begin(), src.functions().end(),
                                             [](const FunctionBlock& f) { return f.top_level && !plain_warp_function(f); });
    // First the names each function binds, then one decision per name and per part for the whole
    // module: `vel` becomes `velocity` in every function, or in none; a part (`prev` in `prev_x`)
    // is spelled one way everywhere, and not respelled where a name that keeps its spelling has it;
    // a name that is also a part of another (`count` of `max_count`) keeps its spelling.
    std::vector<std::vector<std::pair<std::string, NameRole>>> bound_by_function(src.functions().size());
    std::set<std::string, std::less<>> renameable;
    for (std::size_t fi = 0; fi < src.functions().size(); ++fi) {
      const FunctionBlock& f = src.functions()[fi];
      if (!f.top_level || !plain_warp_function(f)) continue;
      auto& bound = bound_by_function[fi];  // in order of first binding
      for (std::size_t l = f.def_line; l < f.end_line; ++l) {
        if (keep_parameters && is_def_header(src, lines[l])) continue;
        const auto names = is_def_header(src, lines[l]) ? parameter_tokens(src, lines[l]) : bound_name_tokens(src, lines[l]);
        for (std::size_t t : names) {
          std::string name(src.spelling(t));
          if (fixed.count(name) || name.rfind("__", 0) == 0) continue;
          if (std::any_of(bound.begin(), bound.end(), [&](const auto& b) { return b.first == name; })) continue;
          renameable.insert(name);
          bound.emplace_back(std::move(name), role_of(src, lines[l], names.size()));
        }
      }
    }
    std::set<std::string, std::less<>> parts_kept, parts_of_names;
    for (const std::string& name : src.identifiers()) {
      const auto parts = parts_of(name);
      if (parts.size() > 1) parts_of_names.insert(parts.begin(), parts.end());
      if (!renameable.count(name)) parts_kept.insert(parts.begin(), parts.end());
    }
    std::map<std::string, std::string, std::less<>> whole_choice;   // name -> its new name ("" keeps it)
    std::map<std::string, std::string, std::less<>> part_spelling;  // part -> its spelling in this module
    for (const std::string& part : parts_kept) part_spelling.emplace(part, part);
    for (std::size_t fi = 0; fi < src.functions().size(); ++fi) {
      const FunctionBlock& f = src.functions()[fi];
      if (bound_by_function[fi].empty()) continue;
      std::map<std::string, std::string, std::less<>> renamed;
      for (const auto& [name, role] : bound_by_function[fi]) {
        auto decided = whole_choice.find(name);
        if (decided == whole_choice.end()) {
          std::string chosen = name;
          std::vector<std::string> options;
          for (std::string& other : other_names(name, role)) {
            if (!taken.count(other) && !is_python_keyword(other)) options.push_back(std::move(other));
          }
          if (!options.empty() && !parts_of_names.count(name)) {
            if (chance(policy_.p_rename)) chosen = options[rng_.index(options.size())];
          } else if (options.empty()) {
            chosen = respelled_by_parts(name, part_spelling);
            if (taken.count(chosen)) chosen = name;
          }
          if (chosen != name) taken.insert(chosen);
          decided = whole_choice.emplace(name, chosen == name ? std::string() : chosen).first;
          // As for parts: the other names of its group keep theirs (no `vel` -> `velocity` beside
          // `velocity` -> `vel`).
          if (chosen != name) {
            for (const std::string& other : other_names(name, role)) whole_choice.emplace(other, std::string());
          }
        }
        if (decided->second.empty()) continue;
        renamed.emplace(name, decided->second);
        edits.push_back(fmt::format("rename {} -> {} in {}", name, decided->second, f.name));
      }
      if (renamed.empty()) continue;
      const auto [first, last] = token_range(src, f);
      for (std::size_t t = first; t < last; ++t) {
        const Token& token = src.tokens()[t];
        if (token.kind == TokenKind::kComment || token.kind == TokenKind::kString) {
          std::string text(src.spelling(token));
          // Only where the text names the code: `vel` in backquotes, or a name no prose has
          // (rest_length, x0); "the force" stays a force.
          for (const auto& [from, to] : renamed) {
            if (from.size() >= 3 && from.find_first_of("_0123456789") != npos) text = rename_in_text(text, from, to);
            text = rename_in_text(text, "`" + from + "`", "`" + to + "`");
          }
          if (text != src.spelling(token)) out.push_back({token.begin, token.end, text});
          continue;
        }
        if (token.kind != TokenKind::kName || (t > 0 && spelled(src, t - 1, ".")) || is_keyword_argument(src, t)) continue;
        auto it = renamed.find(src.spelling(token));
        if (it != renamed.end()) out.push_back({token.begin, token.end, it->second});
      }
    }
  }

  // Digits of a literal's mantissa between its first and last non-zero digit ("0.0250" has 2).
  static int significant_digits(std::string_view literal) {
    const std::string_view mantissa = literal.substr(0, literal.find_first_of("eE"));
    std::string digits;
    for (char c : mantissa) {
      if (c >= '0' && c <= '9') digits += c;
    }
    const std::size_t first = digits.find_first_not_of('0');
    if (first == npos) return 0;
    return static_cast<int>(digits.find_last_not_of('0') - first + 1);
  }

  // The floating literals of function bodies, outside subscripts, that a person tunes.
  static std::vector<std::size_t> tunable_constants(const PythonSource& src) {
    std::vector<std::size_t> out;
    for (const FunctionBlock& f : src.functions()) {
      if (!f.top_level) continue;
      const auto [first, last] = token_range(src, f);
      std::vector<char> open;  // the brackets open at each token
      for (std::size_t t = first; t < last; ++t) {
        const std::string_view s = src.spelling(t);
        if (s == "(" || s == "[" || s == "{") open.push_back(s[0]);
        if ((s == ")" || s == "]" || s == "}") && !open.empty()) open.pop_back();
        if (t < f.body_token || src.tokens()[t].kind != TokenKind::kNumber) continue;
        if (std::find(open.begin(), open.end(), '[') != open.end()) continue;
        if (s.find_first_of(".eE") == npos || s.find_first_of("xXjJ_") != npos) continue;
        const double v = std::strtod(std::string(s).c_str(), nullptr);
        if (!std::isfinite(v) || v < 1e-12 || v > 1e6) continue;
        // A tunable is a round number (0.01, 1.0e-6, 200.0): a tolerance, a gain, a step; 9.81, 0.96 or
        // 0.7071 is a constant of nature, of a model or of mathematics, which a person does not change.
        if (significant_digits(s) > 1) continue;
        // Whole numbers and simple fractions (3.0 sides, 4.0 corners, half or a quarter of them) count things.
        if ((v == std::floor(v) && v <= 12.0) || v == 0.5 || v == 0.25 || v == 0.75 || v == 0.125) continue;
        out.push_back(t);
      }
    }
    return out;
  }

  // A round value near `v` (1, 2, 2.5 or 5 times a power of ten), other than `v`, written as the
  // original is (scientific or decimal).
  std::string near_round_value(double v, std::string_view written) {
    const double magnitude = std::pow(10.0, std::floor(std::log10(v)));
    std::vector<double> options;
    for (double m : {0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 20.0}) {
      const double candidate = m * magnitude;
      if (std::abs(candidate - v) > 1e-9 * v && candidate / v < 3.0 && v / candidate < 3.0) options.push_back(candidate);
    }
    if (options.empty()) options.push_back(v * 2.0);
    const double chosen = options[rng_.index(options.size())];
    if (written.find_first_of("eE") != npos) {
      const int exponent = static_cast<int>(std::floor(std::log10(chosen) + 1e-9));
      const double mantissa = chosen / std::pow(10.0, exponent);
      const bool dotted = written.find('.') != npos;
      std::string m = fmt::format("{:g}", mantissa);
      if (dotted && m.find('.') == npos) m += ".0";
      return fmt::format("{}e{}", m, exponent);
    }
    std::string out = fmt::format("{:.10f}", chosen);
    while (out.back() == '0' && out[out.size() - 2] != '.') out.pop_back();
    return out;
  }

  void tune_constants(const PythonSource& src, std::vector<Replacement>& out) {
    if (!chance(policy_.p_tune_constant)) return;
    std::vector<std::size_t> constants = tunable_constants(src);
    const int count = std::min<int>(static_cast<int>(constants.size()), every_ ? 2 : rng_.uniform(1, 2));
    for (int n = 0; n < count && !constants.empty(); ++n) {
      const std::string written(src.spelling(constants[rng_.index(constants.size())]));
      const std::string value = near_round_value(std::strtod(written.c_str(), nullptr), written);
      // Every literal spelled the same changes with it: a tolerance written twice (left and right,
      // the test and its fallback) is one constant to whoever tunes it.
      std::vector<int> lines;
      std::erase_if(constants, [&](std::size_t t) {
        if (src.spelling(t) != written) return false;
        out.push_back({src.tokens()[t].begin, src.tokens()[t].end, value});
        lines.push_back(src.tokens()[t].line);
        return true;
      });
      edits.push_back(fmt::format("constant {} -> {} on line{} {}", written, value, lines.size() > 1 ? "s" : "",
                                  fmt::join(lines, ", ")));
    }
  }

  // One call `wp.f(` where the kernel uses f and none of its partners (a pair such as cos/sin in
  // one rotation stays a pair).
  void swap_builtin(const PythonSource& src, std::vector<Replacement>& out) {
    if (!rng_.chance(policy_.p_swap_builtin)) return;  // never forced: a swap changes what is computed
    const std::vector<std::string> called = distinct_spellings(src, builtin_call_sites(src, false));
    std::vector<std::size_t> sites;
    for (std::size_t t : builtin_call_sites(src, true)) {
      const auto& partners = swaps_.partners(std::string(src.spelling(t)));
      const bool paired = std::any_of(partners.begin(), partners.end(), [&](const std::string& p) {
        return std::binary_search(called.begin(), called.end(), p);
      });
      if (!partners.empty() && !paired) sites.push_back(t);
    }
    if (sites.empty()) return;
    const std::size_t t = sites[rng_.index(sites.size())];
    const auto& partners = swaps_.partners(std::string(src.spelling(t)));
    const std::string& chosen = partners[rng_.index(partners.size())];
    out.push_back({src.tokens()[t].begin, src.tokens()[t].end, chosen});
    edits.push_back(fmt::format("swap wp.{} -> wp.{} on line {}", src.spelling(t), chosen, src.tokens()[t].line));
  }

  // `range(0, n)` written `range(n)`, in every loop of the module: the form real code writes (out/corpus
  // has 5 loops over `range(0, n)` of 2,039), so the one edit of a loop's form that stays real.
  void loop_form(const PythonSource& src, std::vector<Replacement>& out) {
    if (!chance(policy_.p_loop_form)) return;
    const auto& tokens = src.tokens();
    std::vector<int> lines;
    for (std::size_t t = 1; t + 3 < tokens.size(); ++t) {
      if (!spelled(src, t - 1, "in") || !spelled(src, t, "range") || !spelled(src, t + 1, "(") ||
          !spelled(src, t + 2, "0") || !spelled(src, t + 3, ","))
        continue;
      const int depth = tokens[t + 1].depth + 1;
      int commas = 0;
      for (std::size_t u = t + 2; u < tokens.size() && tokens[u].depth >= depth; ++u) {
        if (tokens[u].depth == depth && src.spelling(u) == ",") ++commas;
      }
      if (commas != 1) continue;  // range(0, n, step) keeps its start
      out.push_back({tokens[t + 2].begin, tokens[t + 4].begin, ""});
      lines.push_back(tokens[t].line);
    }
    if (!lines.empty()) {
      edits.push_back(fmt::format("range(0, n) -> range(n) on line{} {}", lines.size() > 1 ? "s" : "", fmt::join(lines, ", ")));
    }
  }

  const VariantPolicy& policy_;
  const BuiltinSwaps& swaps_;
  Rng& rng_;
  bool every_;  // every optional edit on (the second draw)
};

}  // namespace

BuiltinSwaps::BuiltinSwaps(const catalog::Catalog& table) {
  // Candidates a person swaps in code they adapt; kept where Warp gives both the same overloads.
  static const std::vector<std::vector<std::string>> kCandidates = {
      {"sin", "cos"}, {"floor", "ceil"}, {"atomic_min", "atomic_max"}};  // not min/max: a guard (max(d, eps)) swapped divides by 0
  auto signatures = [&](const std::string& key) {
    std::vector<std::string> out;
    for (int i : table.overloads(key)) {
      const catalog::Signature& s = table[i];
      std::string text = model::warp_name(s.returns) + "(";
      for (const auto& p : s.args) text += model::warp_name(p.type) + ",";
      out.push_back(text + ")");
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  for (const auto& group : kCandidates) {
    for (const std::string& name : group) {
      const auto own = signatures(name);
      if (own.empty()) continue;
      std::vector<std::string> partners;
      for (const std::string& other : group) {
        if (other != name && signatures(other) == own) partners.push_back(other);
      }
      if (!partners.empty()) partners_.emplace_back(name, std::move(partners));
    }
  }
}

const std::vector<std::string>& BuiltinSwaps::partners(const std::string& name) const {
  static const std::vector<std::string> kNone;
  for (const auto& [key, list] : partners_) {
    if (key == name) return list;
  }
  return kNone;
}

std::vector<std::string> builtins_called(const std::string& python) {
  const PythonSource src(python);
  return distinct_spellings(src, builtin_call_sites(src, false));
}

std::size_t longest_line(std::string_view text) {
  std::size_t longest = 0;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == npos) end = text.size();
    longest = std::max(longest, end - at);
    at = end + 1;
  }
  return longest;
}

std::optional<Variant> make_variant(const std::string& python, const std::string& kernel, Rng& rng,
                                    const VariantPolicy& policy, const BuiltinSwaps& swaps) {
  const auto parent_shingles = dedup::shingle_hashes(python);
  for (int draw = 0; draw < 2; ++draw) {
    Editor editor(policy, swaps, rng, draw == 1);
    std::string text = editor.edit_tokens(editor.reorder(python));
    const double jaccard = dedup::jaccard(parent_shingles, dedup::shingle_hashes(text));
    if (jaccard >= policy.max_parent_jaccard) continue;
    // Longer names must not push a line past the formatter's limit: 120 columns (Warp's and
    // newton's ruff), or the parent's longest line where it has a longer one.
    if (longest_line(text) > std::max<std::size_t>(longest_line(python), 120)) continue;
    // The kernel keeps its name: the record and the worker find it by that name.
    if (text.find("def " + kernel + "(") == npos) continue;
    return Variant{std::move(text), std::move(editor.edits), jaccard};
  }
  return std::nullopt;
}

}  // namespace warpsynth::generator::variants

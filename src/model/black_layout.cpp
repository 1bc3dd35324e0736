#include "model/black_layout.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace warpsynth::model::black {
namespace {

// Black signals "this transform does not apply" by exception (CannotTransform, CannotSplit);
// the port keeps that control flow so that it can be read next to black's code.
struct CannotSplit : std::runtime_error {
  CannotSplit() : std::runtime_error("cannot split") {}
};

// One statement's leaves, shared by all the lines made from it, as black's Leaf objects are:
// splitting makes optional parentheses visible and clears a leaf's leading space, and later
// attempts see those changes.
struct Store {
  std::vector<Leaf> leaves;
  std::vector<int> bracket_depth;
  std::vector<bool> original_space;  // whitespace() as first computed, for black's fresh copies

  int add(Leaf leaf) {
    original_space.push_back(leaf.space_before);
    leaves.push_back(std::move(leaf));
    bracket_depth.push_back(0);
    return static_cast<int>(leaves.size()) - 1;
  }
  bool is_open(int id) const { return leaves[id].kind == LeafKind::kOpen; }
  bool is_close(int id) const { return leaves[id].kind == LeafKind::kClose; }
  bool is_bracket(int id) const { return is_open(id) || is_close(id); }
  int length(int id) const { return static_cast<int>(leaves[id].value.size()) + (leaves[id].space_before ? 1 : 0); }
};

struct Line {
  std::vector<int> ids;
  int depth = 0;
  bool inside_brackets = false;
  bool should_split_rhs = false;
  // BracketTracker
  std::vector<std::pair<int, int>> delimiters;  // (leaf, priority) at depth 0 of this line, in order

  int delimiter(int id) const {
    for (const auto& [leaf, priority] : delimiters) {
      if (leaf == id) return priority;
    }
    return 0;
  }
  void set_delimiter(int id, int priority) {
    for (auto& entry : delimiters) {
      if (entry.first == id) {
        entry.second = priority;
        return;
      }
    }
    delimiters.emplace_back(id, priority);
  }
  std::vector<int> invisible;     // optional parentheses this line tracked
  std::vector<int> open_stack;
  int previous = -1;
};

Line empty_like(const Line& line) {
  Line out;
  out.depth = line.depth;
  out.inside_brackets = line.inside_brackets;
  return out;
}

// BracketTracker.mark: bracket depths, pairs, and the delimiters at depth 0.
void mark(Store& s, Line& line, int id) {
  Leaf& leaf = s.leaves[id];
  if (leaf.kind == LeafKind::kClose && line.open_stack.empty()) return;
  if (leaf.kind == LeafKind::kClose) {
    leaf.match = line.open_stack.back();
    line.open_stack.pop_back();
    if (leaf.value.empty()) line.invisible.push_back(id);
  }
  int depth = static_cast<int>(line.open_stack.size());
  s.bracket_depth[id] = depth;
  if (depth == 0) {
    int before = leaf.priority_before;
    if (leaf.kind == LeafKind::kDot) before = line.previous >= 0 && s.is_close(line.previous) ? kDotPriority : 0;
    if (before && line.previous >= 0) {
      line.set_delimiter(line.previous, before);
    } else if (leaf.priority_after) {
      line.set_delimiter(id, leaf.priority_after);
    }
  }
  if (leaf.kind == LeafKind::kOpen) {
    line.open_stack.push_back(id);
    if (leaf.value.empty()) line.invisible.push_back(id);
  }
  line.previous = id;
}

void append(Store& s, Line& line, int id, bool preformatted, bool track = false) {
  if (line.inside_brackets || !preformatted || track) mark(s, line, id);
  line.ids.push_back(id);
}

std::string render(const Store& s, const Line& line) {
  std::string out(4 * line.depth, ' ');
  for (size_t i = 0; i < line.ids.size(); ++i) {
    const Leaf& leaf = s.leaves[line.ids[i]];
    if (i > 0 && leaf.space_before) out += ' ';
    out += leaf.value;
  }
  return out;
}

// The rendered width, without rendering (this runs for every candidate line).
int width(const Store& s, const Line& line) {
  int w = 4 * line.depth;
  for (size_t i = 0; i < line.ids.size(); ++i) {
    const Leaf& leaf = s.leaves[line.ids[i]];
    w += static_cast<int>(leaf.value.size()) + (i > 0 && leaf.space_before ? 1 : 0);
  }
  return w;
}

bool short_enough(const Store& s, const Line& line, int limit = kLineLength) { return width(s, line) <= limit; }

std::optional<int> max_priority(const Line& line, int exclude = -1) {
  std::optional<int> best;
  for (const auto& [id, p] : line.delimiters) {
    if (id != exclude && (!best || p > *best)) best = p;
  }
  return best;
}

int count_priority(const Line& line, int priority) {
  int n = 0;
  for (const auto& entry : line.delimiters) n += entry.second == priority;
  return n;
}

// ---- building the lines of a bracket split (bracket_split_build_line) ----

enum class Component { kHead, kBody, kTail };

// Which of `ids` are inside matching brackets (the brackets included): black tracks only those
// in a head line. Flags by position in `ids`.
std::vector<char> leaves_inside_matching_brackets(const Store& s, const std::vector<int>& ids) {
  std::vector<char> inside(ids.size(), 0);
  std::vector<std::pair<char, size_t>> stack;  // (closing bracket wanted, position of the opening)
  bool started = false;
  for (size_t i = 0; i < ids.size(); ++i) {
    const Leaf& leaf = s.leaves[ids[i]];
    if (leaf.kind == LeafKind::kOpen) {
      started = true;
      stack.push_back({leaf.value == "[" ? ']' : ')', i});
    } else if (leaf.kind == LeafKind::kClose && started) {
      char type = leaf.value == "]" ? ']' : ')';
      if (!stack.empty() && stack.back().first == type) {
        std::fill(inside.begin() + stack.back().second, inside.begin() + i + 1, 1);
        stack.pop_back();
      } else {
        stack.clear();  // an unmatched closing bracket ends what is inside
      }
    }
  }
  return inside;
}

bool is_def(const Store& s, const Line& line) { return !line.ids.empty() && s.leaves[line.ids[0]].value == "def"; }

bool ensure_trailing_comma(const Store& s, const std::vector<int>& ids, const Line& original, int opening) {
  if (ids.empty() || !is_def(s, original) || s.leaves[opening].value != "(") return false;
  for (int id : ids) {
    if (s.leaves[id].kind == LeafKind::kComma && !s.leaves[id].annotation) return false;
  }
  return true;
}

bool should_split_line(const Store& s, const Line& line, int opening) {
  const Leaf& open = s.leaves[opening];
  if (line.ids.empty() || !(open.value.empty() || open.value == "(" || open.value == "[")) return false;
  int last = line.ids.back();
  bool trailing_comma = s.leaves[last].kind == LeafKind::kComma;
  auto priority = max_priority(line, last);
  return priority && *priority == kCommaPriority && (trailing_comma || !open.trailer);
}

Line build_line(Store& s, std::vector<int> ids, const Line& original, int opening, Component component) {
  Line result;
  result.depth = original.depth;
  if (component == Component::kBody) {
    result.inside_brackets = true;
    result.depth += 1;
    if (ensure_trailing_comma(s, ids, original, opening) && s.leaves[ids.back()].kind != LeafKind::kComma) {
      ids.push_back(s.add({LeafKind::kComma, ",", false, 0, kCommaPriority}));
    }
  }
  std::vector<char> track;
  if (component == Component::kHead) track = leaves_inside_matching_brackets(s, ids);
  result.ids.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) append(s, result, ids[i], true, !track.empty() && track[i]);
  if (component == Component::kBody && should_split_line(s, result, opening)) result.should_split_rhs = true;
  return result;
}

void succeeded_or_raise(const Store& s, const Line& body, const Line& tail) {
  if (!body.ids.empty()) return;
  std::string text = render(s, tail);
  size_t first = text.find_first_not_of(' ');
  size_t length = first == std::string::npos ? 0 : text.size() - first;
  if (length < 3) throw CannotSplit();
}

// ---- right-hand split ----

// Closing brackets a right-hand split must pass over (a handful): a small sorted vector.
struct Omit {
  std::vector<int> ids;
  bool count(int id) const { return std::binary_search(ids.begin(), ids.end(), id); }
  bool empty() const { return ids.empty(); }
  void insert(int id) {
    auto at = std::lower_bound(ids.begin(), ids.end(), id);
    if (at == ids.end() || *at != id) ids.insert(at, id);
  }
  template <typename It>
  void insert(It first, It last) {
    for (; first != last; ++first) insert(*first);
  }
};

struct RHS {
  Line head, body, tail;
  int opening = -1, closing = -1;
};

RHS first_right_hand_split(Store& s, const Line& line, const Omit& omit) {
  std::vector<int> tail, body, head;
  std::vector<int>* current = &tail;
  int opening = -1, closing = -1;
  for (auto it = line.ids.rbegin(); it != line.ids.rend(); ++it) {
    int id = *it;
    if (current == &body && id == opening) current = body.empty() ? &tail : &head;
    current->push_back(id);
    if (current == &tail && s.is_close(id) && !omit.count(id)) {
      opening = s.leaves[id].match;
      closing = id;
      current = &body;
    }
  }
  if (opening < 0 || closing < 0 || head.empty()) throw CannotSplit();
  std::reverse(tail.begin(), tail.end());
  std::reverse(body.begin(), body.end());
  std::reverse(head.begin(), head.end());
  RHS rhs;
  rhs.head = build_line(s, head, line, opening, Component::kHead);
  rhs.body = build_line(s, body, line, opening, Component::kBody);
  rhs.tail = build_line(s, tail, line, opening, Component::kTail);
  succeeded_or_raise(s, rhs.body, rhs.tail);
  rhs.opening = opening;
  rhs.closing = closing;
  return rhs;
}

bool can_omit_opening_paren(const Store& s, const Line& line, int first) {
  bool remainder = false;
  int length = 4 * line.depth;
  for (int id : line.ids) {
    if (s.is_close(id) && s.leaves[id].match == first) remainder = true;
    if (remainder) {
      length += s.length(id);
      if (length > kLineLength) return false;
      if (s.is_open(id)) remainder = false;
    }
  }
  return true;
}

bool can_omit_closing_paren(const Store& s, const Line& line, int last) {
  int length = 4 * line.depth;
  bool seen_other_brackets = false;
  for (int id : line.ids) {
    length += s.length(id);
    if (id == s.leaves[last].match) {
      if (seen_other_brackets || length <= kLineLength) return true;
    } else if (s.is_open(id)) {
      seen_other_brackets = true;
    }
  }
  return false;
}

bool can_omit_invisible_parens(const Store& s, const RHS& rhs) {
  const Line& line = rhs.body;
  if (line.delimiters.empty()) return true;
  int priority = *max_priority(line);
  if (count_priority(line, priority) > 1) return false;
  if (priority == kDotPriority) return true;
  if (line.ids.size() < 2) return false;
  int first = line.ids[0], second = line.ids[1];
  if (s.is_open(first) && !s.is_close(second) && can_omit_opening_paren(s, line, first)) return true;
  int penultimate = line.ids[line.ids.size() - 2], last = line.ids.back();
  const Leaf& l = s.leaves[last];
  bool closing_paren = l.kind == LeafKind::kClose && (l.value != "]" || !l.trailer);
  if (closing_paren) {
    if (s.is_open(penultimate)) return false;
    if (can_omit_closing_paren(s, line, last)) return true;
  }
  return false;
}

bool is_equal_sign(const Store& s, int id) { return s.leaves[id].kind == LeafKind::kAssign && s.leaves[id].value == "="; }

bool prefer_split_rhs_oop(const Store& s, const RHS& oop, const RHS& rhs) {
  const auto& head = rhs.head.ids;
  if (!(head.size() >= 2 && is_equal_sign(s, head[head.size() - 2]))) return true;
  if (!std::any_of(head.begin(), head.end() - 1, [&](int id) { return s.is_bracket(id); })) return true;
  if (!short_enough(s, rhs.head, kLineLength - 1)) return true;
  bool closing_after_assign = false;
  for (auto it = oop.head.ids.rbegin(); it != oop.head.ids.rend(); ++it) {
    if (is_equal_sign(s, *it)) break;
    if (s.is_close(*it)) {
      closing_after_assign = true;
      break;
    }
  }
  bool equal_in_oop_head = std::any_of(oop.head.ids.begin(), oop.head.ids.end(), [&](int id) { return is_equal_sign(s, id); });
  return closing_after_assign || (equal_in_oop_head && short_enough(s, oop.head));
}

std::vector<Line> maybe_split_omitting_optional_parens(Store& s, RHS rhs, const Line& line, bool force,
                                                       const Omit& omit) {
  const Leaf& open = s.leaves[rhs.opening];
  const Leaf& close = s.leaves[rhs.closing];
  if (!force && open.invisible && open.value.empty() && close.invisible && close.value.empty() &&
      can_omit_invisible_parens(s, rhs)) {
    Omit without = omit;
    without.insert(rhs.closing);
    try {
      RHS oop = first_right_hand_split(s, line, without);
      if (prefer_split_rhs_oop(s, oop, rhs)) return maybe_split_omitting_optional_parens(s, oop, line, force, without);
    } catch (const CannotSplit&) {
      bool can_be_split = rhs.body.ids.size() >= 2;
      if (!can_be_split && !short_enough(s, rhs.body)) throw;
    }
  }
  // ensure_visible
  if (s.leaves[rhs.opening].value.empty()) s.leaves[rhs.opening].value = "(";
  if (s.leaves[rhs.closing].value.empty()) s.leaves[rhs.closing].value = ")";
  std::vector<Line> out;
  for (Line* part : {&rhs.head, &rhs.body, &rhs.tail}) {
    if (!part->ids.empty()) out.push_back(std::move(*part));
  }
  return out;
}

std::vector<Line> right_hand_split(Store& s, const Line& line, bool force, const Omit& omit) {
  return maybe_split_omitting_optional_parens(s, first_right_hand_split(s, line, omit), line, force, omit);
}

// generate_trailers_to_omit, as a generator that reads the leaves when asked for the next set
// (black's does: a split made in between may have made a parenthesis visible).
class TrailersToOmit {
 public:
  TrailersToOmit(const Store& s, const Line& line) : s_(s), line_(line), index_(line.ids.size()) {
    length_ = 4 * line.depth;
  }
  std::optional<Omit> next() {
    if (!yielded_empty_) {
      yielded_empty_ = true;
      return omit_;
    }
    while (!done_ && index_ > 0) {
      --index_;
      int id = line_.ids[index_];
      length_ += s_.length(id);
      if (length_ > kLineLength) break;
      if (opening_ >= 0) {
        if (id == opening_) {
          opening_ = -1;
        } else if (s_.is_close(id)) {
          inner_.insert(id);
        }
      } else if (s_.is_close(id)) {
        if (index_ > 0 && s_.is_open(line_.ids[index_ - 1])) {
          inner_.insert(id);
          continue;
        }
        bool yield_now = closing_ >= 0;
        if (yield_now) {
          omit_.insert(closing_);
          omit_.insert(inner_.ids.begin(), inner_.ids.end());
          inner_.ids.clear();
        }
        if (!s_.leaves[id].value.empty()) {
          opening_ = s_.leaves[id].match;
          closing_ = id;
        }
        if (yield_now) return omit_;
      }
    }
    done_ = true;
    return std::nullopt;
  }

 private:
  const Store& s_;
  const Line& line_;
  size_t index_;
  int length_ = 0;
  bool yielded_empty_ = false, done_ = false;
  int opening_ = -1, closing_ = -1;
  Omit inner_, omit_;
};

std::vector<Line> right_hand_split_with_omits(Store& s, const Line& line, bool force) {
  std::vector<int> prefix_length(s.leaves.size(), 0);
  int length = 4 * line.depth;
  for (int id : line.ids) {
    prefix_length[id] = length;
    length += s.length(id);
  }
  std::optional<std::vector<Line>> first_lines;
  TrailersToOmit trailers(s, line);
  while (auto omit = trailers.next()) {
    if (!omit->empty()) {
      int target = -1;
      for (auto it = line.ids.rbegin(); it != line.ids.rend(); ++it) {
        if (s.is_close(*it) && !omit->count(*it)) {
          target = s.leaves[*it].match;
          break;
        }
      }
      if (target >= 0 && !s.leaves[target].value.empty() && prefix_length[target] > kLineLength) continue;
    }
    std::vector<Line> lines = right_hand_split(s, line, force, *omit);
    if (!first_lines && omit->empty()) first_lines = lines;
    if (short_enough(s, lines[0])) return lines;
  }
  if (first_lines) return *first_lines;
  return right_hand_split(s, line, force, {});
}

// ---- delimiter split and left-hand split ----

std::vector<Line> delimiter_split(Store& s, const Line& line) {
  if (line.ids.empty()) throw CannotSplit();
  int last = line.ids.back();
  auto priority = max_priority(line, last);
  if (!priority) throw CannotSplit();
  if (*priority == kDotPriority && count_priority(line, *priority) == 1) throw CannotSplit();
  std::vector<Line> out;
  Line current = empty_like(line);
  for (int id : line.ids) {
    append(s, current, id, true);
    if (line.delimiter(id) == *priority) {
      out.push_back(std::move(current));
      current = empty_like(line);
    }
  }
  if (!current.ids.empty()) {
    if (*priority == kCommaPriority && s.leaves[current.ids.back()].kind != LeafKind::kComma) {
      append(s, current, s.add({LeafKind::kComma, ",", false, 0, kCommaPriority}), false);
    }
    out.push_back(std::move(current));
  }
  for (auto& split : out) s.leaves[split.ids[0]].space_before = false;  // dont_increase_indentation
  return out;
}

std::vector<Line> left_hand_split(Store& s, const Line& line) {
  for (const char* bracket : {"(", "["}) {
    std::vector<int> head, body, tail;
    std::vector<int>* current = &head;
    int matching = -1;
    for (int id : line.ids) {
      if (current == &body && s.is_close(id) && s.leaves[id].match == matching && matching >= 0) {
        current = body.empty() ? &head : &tail;
      }
      current->push_back(id);
      if (current == &head && s.is_open(id) && s.leaves[id].value == bracket) {
        matching = id;
        current = &body;
      }
    }
    if (matching >= 0 && !tail.empty()) {
      Line h = build_line(s, head, line, matching, Component::kHead);
      Line b = build_line(s, body, line, matching, Component::kBody);
      Line t = build_line(s, tail, line, matching, Component::kTail);
      succeeded_or_raise(s, b, t);
      std::vector<Line> out;
      for (Line* part : {&h, &b, &t}) {
        if (!part->ids.empty()) out.push_back(std::move(*part));
      }
      return out;
    }
  }
  throw CannotSplit();
}

// ---- transform_line and run_transformer ----

enum class Transform { kDelimiterSplit, kRightHandSplit, kLeftHandSplit };

std::vector<Line> transform_line(Store& s, const Line& line, bool force);

std::vector<Line> apply(Store& s, const Line& line, Transform t, bool force) {
  switch (t) {
    case Transform::kDelimiterSplit: return delimiter_split(s, line);
    case Transform::kRightHandSplit: return right_hand_split_with_omits(s, line, force);
    case Transform::kLeftHandSplit: return left_hand_split(s, line);
  }
  return {};
}

// A copy of a line with fresh leaves, as black's `append_leaves` makes for its second opinion:
// values as they are now, leading space as first computed, brackets matched anew.
Line fresh_copy(Store& s, const Line& line) {
  Line copy = empty_like(line);
  copy.should_split_rhs = line.should_split_rhs;
  for (int id : line.ids) {
    Leaf leaf = s.leaves[id];
    leaf.space_before = s.original_space[id];
    leaf.match = -1;
    int fresh = static_cast<int>(s.leaves.size());
    s.leaves.push_back(leaf);
    s.original_space.push_back(s.original_space[id]);
    s.bracket_depth.push_back(0);
    append(s, copy, fresh, false);
  }
  return copy;
}

std::vector<Line> run_transformer(Store& s, const Line& line, Transform t, bool force, const std::string& line_str) {
  std::vector<int> optional_parens;
  for (int id : line.invisible) {
    if (s.bracket_depth[id] == 0) optional_parens.push_back(id);
  }
  std::vector<Line> result;
  for (Line& transformed : apply(s, line, t, force)) {
    if (width(s, transformed) == static_cast<int>(line_str.size()) && render(s, transformed) == line_str) {
      throw CannotSplit();  // black: "Line transformer returned an unchanged result"
    }
    for (Line& l : transform_line(s, transformed, force)) result.push_back(std::move(l));
  }
  bool made_visible = std::any_of(optional_parens.begin(), optional_parens.end(),
                                  [&](int id) { return !s.leaves[id].value.empty(); });
  if (force || t != Transform::kRightHandSplit || line.invisible.empty() || made_visible ||
      short_enough(s, result[0])) {
    return result;
  }
  Line copy = fresh_copy(s, line);
  std::vector<Line> second = run_transformer(s, copy, t, true, line_str);
  if (std::all_of(second.begin(), second.end(), [&](const Line& l) { return short_enough(s, l); })) {
    return second;
  }
  return result;
}

std::vector<Line> transform_line(Store& s, const Line& line, bool force) {
  if (!line.should_split_rhs && short_enough(s, line)) return {line};
  std::string line_str = render(s, line);
  std::vector<Transform> transforms;
  if (is_def(s, line)) {
    transforms = {Transform::kLeftHandSplit};
  } else if (line.inside_brackets) {
    transforms = {Transform::kDelimiterSplit, Transform::kRightHandSplit};
  } else {
    transforms = {Transform::kRightHandSplit};
  }
  for (Transform t : transforms) {
    try {
      return run_transformer(s, line, t, force, line_str);
    } catch (const CannotSplit&) {
    }
  }
  return {line};
}

}  // namespace

int math_priority(const std::string& op) {
  if (op == "|") return 9;
  if (op == "^") return 8;
  if (op == "&") return 7;
  if (op == "<<" || op == ">>") return 6;
  if (op == "+" || op == "-") return 5;
  return 4;  // * / // % @
}

std::vector<std::string> layout(std::vector<Leaf> leaves, int depth) {
  Store s;
  // Splits add leaves (trailing commas, black's fresh copies): room for them up front.
  s.leaves = std::move(leaves);
  s.leaves.reserve(4 * s.leaves.size());
  s.original_space.reserve(s.leaves.capacity());
  for (const auto& leaf : s.leaves) s.original_space.push_back(leaf.space_before);
  s.bracket_depth.assign(s.leaves.size(), 0);
  s.bracket_depth.reserve(s.leaves.capacity());
  Line line;
  line.depth = depth;
  for (int id = 0; id < static_cast<int>(s.leaves.size()); ++id) append(s, line, id, false);
  std::vector<std::string> out;
  for (const Line& l : transform_line(s, line, false)) out.push_back(render(s, l));
  return out;
}

}  // namespace warpsynth::model::black

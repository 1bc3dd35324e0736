// Lays out one Python statement over lines exactly as black (26.x, default mode: 88 columns,
// magic trailing commas) does, for the statements the printer writes. A port of black's
// right-hand split (`linegen.py`: `right_hand_split_with_omits`, `_maybe_split_omitting_optional_
// parens`, `generate_trailers_to_omit`, the "second opinion" of `run_transformer`), its
// delimiter split and left-hand split (defs), and the bracket tracking and delimiter priorities
// of `brackets.py`, over a token list the printer builds. What the printer never writes (strings,
// comments, `**`, lambdas, comprehensions, magic trailing commas in its input) is left out.
// tests/python/test_black_format.py checks the result against black itself.
#pragma once

#include <string>
#include <vector>

namespace warpsynth::model::black {

inline constexpr int kLineLength = 88;

// Black's delimiter priorities (brackets.py): a line breaks at its highest-priority delimiters.
inline constexpr int kCommaPriority = 18;
inline constexpr int kTernaryPriority = 16;
inline constexpr int kLogicPriority = 14;
inline constexpr int kComparatorPriority = 10;
inline constexpr int kDotPriority = 1;
// An arithmetic or bitwise operator's priority (| 9, ^ 8, & 7, << >> 6, + - 5, * / // % @ 4).
int math_priority(const std::string& op);

enum class LeafKind : unsigned char {
  kName,     // names, numbers, keywords that are not delimiters
  kOpen,     // ( or [; an empty value is an invisible parenthesis
  kClose,    // ) or ]
  kComma,
  kDot,
  kAssign,   // = += -= ...: what black calls EQUAL is only `=`
  kOther,    // : -> and the like
};

struct Leaf {
  LeafKind kind = LeafKind::kName;
  std::string value;
  bool space_before = false;  // black's whitespace() prefix: " " or ""
  int priority_before = 0;    // a split before this leaf (operators, comparators, and/or, if/else)
  int priority_after = 0;     // a split after this leaf (commas)
  bool trailer = false;       // a bracket of a call or subscript (not a parenthesized atom)
  int match = -1;             // index of the matching bracket (set by `match_brackets`)
  bool invisible = false;     // an optional parenthesis black may make visible
  bool annotation = false;    // a comma inside a parameter's annotation (`wp.array(dtype=x, ndim=2)`)
};

// A statement as tokens; `depth` is its indentation level. Returns its lines, each with its
// indentation and without a newline. (The printer only calls it for a statement that does not
// fit on one line: black leaves one that fits as it is.)
std::vector<std::string> layout(std::vector<Leaf> leaves, int depth);

}  // namespace warpsynth::model::black

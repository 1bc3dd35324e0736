// Normalization of Warp's generated code and of Python source, so that the same kernel gives
// the same bytes in every run, process and machine. Every rule is documented in
// docs/ir-format.md; keep the two in step.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "driver/line_map.h"

namespace warpsynth {

// Generated identifiers to rename, from the worker's `names` object.
struct NameRenames {
  // Hash-suffixed names (kernel `saxpy_34cfbf96`, struct `Params_42ba4f6f`): replaced wherever
  // they occur, also inside longer identifiers such as `wp_args_saxpy_34cfbf96`.
  std::vector<std::pair<std::string, std::string>> hashed;
  // `@wp.func` C names `{key}_{N}` with N from a process-global counter: replaced as whole
  // identifiers, also behind the `adj_` and `replay_` prefixes Warp puts on their adjoints.
  std::vector<std::pair<std::string, std::string>> functions;
};

using NamePairs = std::vector<std::pair<std::string, std::string>>;

// Builds the renames from the names Warp generated, each with its key: the kernel's mangled name
// and struct native names lose their hash suffix; function C names are numbered from 0 per key in
// the order Warp built them (`sq_17` -> `sq_0`). An empty kernel name is none.
NameRenames renames_from(const std::pair<std::string, std::string>& kernel, const NamePairs& structs,
                         const NamePairs& functions);

// Applies, line by line: drop `// <file>:<line>` comments and `#line` directives (they carry
// paths); renumber each `<L n>` source-line tag to the record's Python line by `lines` (the file
// is the one named by the last location comment, until the column-0 `}` that ends its function;
// outside, the kernel's), or drop the tag and the padding before it where `lines` is null or does
// not hold the line; strip trailing whitespace; then the renames.
std::string normalize_generated_code(std::string_view code, const NameRenames& renames,
                                     const LineMap* lines = nullptr);

// CRLF -> LF, trailing whitespace stripped, exactly one final newline.
std::string normalize_python(std::string_view source);

}  // namespace warpsynth

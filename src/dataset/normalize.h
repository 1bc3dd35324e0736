// Normalization of Warp's generated code and of Python source, so that the same kernel gives
// the same bytes in every run, process and machine. Every rule is documented in
// docs/ir-format.md; keep the two in step.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

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

// Builds the renames: kernel and struct names lose their hash suffix; functions are numbered
// from 0 per key in the order Warp built them (`sq_17` -> `sq_0`).
NameRenames renames_from_worker(const nlohmann::json& names);

// Applies, line by line: drop `// <file>:<line>` comments and `#line` directives (they carry
// paths), drop the `<L n>` source-line tags and the padding before them, strip trailing
// whitespace; then the renames.
std::string normalize_generated_code(std::string_view code, const NameRenames& renames);

// CRLF -> LF, trailing whitespace stripped, exactly one final newline.
std::string normalize_python(std::string_view source);

}  // namespace warpsynth

// Variants of real kernels (`generate --from DIR`): a self-contained real record's Python with
// typed edits a person makes to code they adapt: locals and arguments renamed consistently
// (comments and docstrings follow), a builtin swapped for one of the same signatures, a tuned
// constant, two independent statements in the other order, `range(0, n)` written `range(n)`.
// Each edit is named in the variant; Warp judges the result (--verify), as for any generated kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "generator/config.h"
#include "generator/rng.h"

namespace warpsynth::catalog {
class Catalog;
}

namespace warpsynth::generator::variants {

// Builtins that take and return the same types, so that one can replace the other in any call:
// pairs from a list of candidates (sin/cos, min/max, ...) that the installed Warp's catalog confirms.
class BuiltinSwaps {
 public:
  BuiltinSwaps() = default;
  explicit BuiltinSwaps(const catalog::Catalog& table);
  // The builtins `name` may be swapped for (empty: none).
  const std::vector<std::string>& partners(const std::string& name) const;
  std::size_t size() const { return partners_.size(); }

 private:
  std::vector<std::pair<std::string, std::vector<std::string>>> partners_;
};

struct Variant {
  std::string python;
  std::vector<std::string> edits;  // "rename vel -> velocity", "swap wp.sin -> wp.cos", ...
  double parent_jaccard = 1.0;     // of token 5-grams, as `dataset` measures near duplicates
};

// A variant of `python` (a self-contained module defining `kernel`); none when no draw takes it
// under the policy's Jaccard bound (a kernel too short, or with nothing to rename).
std::optional<Variant> make_variant(const std::string& python, const std::string& kernel, Rng& rng,
                                    const VariantPolicy& policy, const BuiltinSwaps& swaps);

// The length of a text's longest line (a variant's may not pass 120, or its parent's where longer).
std::size_t longest_line(std::string_view text);

// The `wp.<name>(` calls in function bodies, sorted and distinct (what `extract` records as
// meta.builtins; annotations and decorators are not calls of a builtin).
std::vector<std::string> builtins_called(const std::string& python);

}  // namespace warpsynth::generator::variants

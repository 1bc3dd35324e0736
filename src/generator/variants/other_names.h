// Other names a person gives the same thing in Warp code: whole names (`vel`, `velocity`, `v`)
// and parts of snake_case names (`inv` in `inv_mass`, `idx` in `body_idx`). Read from how the
// kernels of warp-lang's examples and newton name their values; a rename draws among these only,
// so that a variant's names stay ones real code uses.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace warpsynth::generator::variants {

// What a name is bound to, where that narrows what it may become.
enum class NameRole {
  kThreadIndex,  // `tid = wp.tid()`: tid or i
  kLoopCounter,  // `for i in ...`: a one-letter counter becomes another (i, j, k)
  kOther,        // by the tables; a one-letter name stays as it is
};

// The names `name` may become as a whole (not `name` itself); empty when the tables know no other.
std::vector<std::string> other_names(std::string_view name, NameRole role);

// The spellings a part of a snake_case name may take instead (`idx`: index, id); a rename by parts
// spells a part one way throughout a function, as a person renaming by a convention does.
std::vector<std::string> other_spellings_of_part(std::string_view part);

}  // namespace warpsynth::generator::variants

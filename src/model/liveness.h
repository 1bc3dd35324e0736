// Which statements of a function compute a value that reaches no output: strong liveness, the
// analysis behind dead-code elimination. Outputs are array stores and atomics, calls made for their
// effect, returned values and conditions (they decide what is stored). A definition is live only
// when its variable is live after it, and only a live definition makes what it reads live, so
// chains of dead values die together and a loop-carried update nobody reads (`acc += x` with acc
// never used after the loop) is dead too. The generator removes what this finds (gen/prune.h);
// the worker's quality.py measures the same thing on Python for generated and extracted records.
#pragma once

#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/ast.h"

namespace warpsynth::model {

struct Liveness {
  // Definitions (assignments, updates of a local's component, in-place builtins on a local,
  // unpacks) whose value reaches no output. Sorted by address.
  std::vector<const Stmt*> dead;
  // Loops whose body has no output and defines nothing live after the loop: removing them
  // changes nothing (their counters and inputs then die in the next pass). Sorted by address.
  std::vector<const Stmt*> useless_loops;

  bool is_dead(const Stmt* s) const { return std::binary_search(dead.begin(), dead.end(), s); }
  bool is_useless_loop(const Stmt* s) const { return std::binary_search(useless_loops.begin(), useless_loops.end(), s); }
};

// `locals`: the names of the function's variables (parameters that are values, not arrays or
// structs holding arrays, and locals). A store into anything else is an output.
Liveness analyze_liveness(const Block& body, std::span<const std::string_view> locals, bool is_kernel);

// The function's variables: value parameters and every assigned name, sorted, each once. Arrays,
// and structs (which may hold arrays), are not: a store into them is an output. Views into
// `params` and `body`, valid while they are unchanged (this runs on every round of pruning).
std::vector<std::string_view> function_variables(const std::vector<Param>& params, const Block& body);

// Appends the variable names an expression reads (views of its texts).
void names_read(const Expr& e, std::vector<std::string_view>& out);
// Whether an expression reads the variable `name`.
bool reads_name(const Expr& e, std::string_view name);

}  // namespace warpsynth::model

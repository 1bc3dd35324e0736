// Checks that a Program is well typed under Warp's rules as the generator uses them: every call
// matches a catalog signature exactly, variables are declared before use and keep their type,
// indices are integers, branches and loops are well formed, funcs return their declared type.
// The generator runs it on everything it builds (in tests, on thousands of seeds).
#pragma once

#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/ast.h"

namespace warpsynth::model {

struct TypeError {
  std::string where;    // "kernel", "func f_0 (#2)", ...
  std::string message;  // what is wrong, with the offending expression printed
};

std::vector<TypeError> check_program(const Program& program, const catalog::Catalog& catalog);

// The builtins the model calls with arrays (the catalog lists them as generic): name, and the
// number of arguments after the array and its indices (the value).
bool is_array_builtin(const std::string& key);

}  // namespace warpsynth::model

// Writes a Program as idiomatic Warp Python: `import warp as wp`, then structs, funcs and the
// kernel, formatted as black formats it (black_layout.h).
#pragma once

#include <string>

#include "model/ast.h"

namespace warpsynth::model {

std::string print_python(const Program& program);
// One expression, as it would appear in the program (for tests and error messages).
std::string print_expr(const Program& program, const Expr& expr);

}  // namespace warpsynth::model

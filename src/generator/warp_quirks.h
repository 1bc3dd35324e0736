// Rewrites of generated code that Warp (1.19.0) compiles wrongly although it is valid Python.
#pragma once

#include "model/ast.h"

namespace warpsynth::generator {

// `for k in range(0, 9, 3)` with constant bounds is unrolled and k is a constant in each copy;
// `wp.float64(k)` then changes the constant's type in place, so a later `i if c else k` fails
// codegen ("where() true value type int32 must be of the same type as the false type float64").
// A cast of a loop variable reads it through int(k), which Warp compiles as written.
void work_around_warp_quirks(model::Program& program);

}  // namespace warpsynth::generator

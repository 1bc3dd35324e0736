// Dynamic loops whose gradient Warp gets wrong.
//
// Warp's reverse pass replays a dynamic loop (one it does not unroll: bounds that are not
// literals, `while`) without the values its variables had in each iteration: a variable carried
// from one iteration to the next holds its last value throughout the replay. A carried variable
// that is only accumulated (`acc += e`, `acc -= e`, its value read nowhere else in the loop)
// is right, since the adjoint of a sum needs no value; any other use of a carried value (read by
// an expression, multiplied, reassigned, a component overwritten) gives a wrong gradient
// (docs/verification.md, grad). The generator keeps such loops to what Warp differentiates.
#pragma once

#include <initializer_list>
#include <string_view>

#include "model/ast.h"

namespace warpsynth::generator {

// Whether `body`, the body of a dynamic loop, uses a carried floating value other than by
// accumulating it: a variable it assigns but does not declare, read in the body or updated
// otherwise than by += and -=. Integers and bools carry no gradient and are not counted.
// `loop_locals`: names declared in the loop outside `body` (a block nested in the loop's body).
bool uses_carried_values(const model::Block& body, std::initializer_list<std::string_view> loop_locals = {});

}  // namespace warpsynth::generator

// Dead-code elimination on a generated program, driven by model/liveness.h: what the generator
// made that reaches no output is removed, to a fixpoint, so that every record's value flows to an
// output (the policy in synth.cpp already prefers unread values; this guarantees it):
// - definitions whose value reaches no output, loops that do nothing, emptied branches;
// - func parameters never read (the argument goes from every call), funcs never called;
// - kernel parameters never read (and their arrays' launch shapes), structs no one uses.
#pragma once

#include <vector>

#include "generator/synth.h"
#include "model/ast.h"

namespace warpsynth::generator {

// Returns false when a dead definition had to stay: a declaration every branch of a later `if`
// overwrites (removing it would leave the name undeclared after the branches). Rare; the
// generator draws such a kernel again.
bool prune(model::Program& program, std::vector<ArrayParam>& arrays);

}  // namespace warpsynth::generator

// Whether a kernel's threads compute something of their own: a kernel whose stored values are the
// same for every thread (`out[i] = params.radius + 1.0`) is valid but computes one number, and
// `--verify run` rejects it as a constant output. The generator draws such a kernel again.
#pragma once

#include "model/ast.h"

namespace warpsynth::generator {

// True when some output (an array store, an atomic, a call made for its effect) stores a value
// that depends on the thread: it reads the thread index, an element loaded at a per-thread index,
// or a local computed from those, or it is stored under a condition or loop that does.
bool stores_per_thread_values(const model::KernelDef& kernel);

}  // namespace warpsynth::generator

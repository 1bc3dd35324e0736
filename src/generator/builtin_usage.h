// How often real Warp code calls each builtin: the prior the generator's choice of builtin
// follows (config builtin_usage, builtin_usage_exponent), so that its histogram of calls comes
// closer to real code's without copying any reference it is measured against (the reference is
// warp-lang's examples; this table comes from newton).
#pragma once

#include <map>
#include <string>

namespace warpsynth::generator {

const std::map<std::string, double>& newton_builtin_usage();

}  // namespace warpsynth::generator

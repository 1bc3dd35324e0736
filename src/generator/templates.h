// Kernel skeletons that real Warp code has (maps, stencils, reductions, particles, springs,
// transforms, ...). A template fixes the parameters, the launch and the data flow; every hole
// in it is filled by typed synthesis (Synth), so no two kernels of a template look alike.
#pragma once

#include <string>
#include <vector>

#include "generator/synth.h"

namespace warpsynth::generator {

using TemplateFn = void (*)(Synth&);

struct Template {
  const char* name;
  TemplateFn build;
};

// All templates, in the order the config lists them.
const std::vector<Template>& all_templates();

}  // namespace warpsynth::generator

// Templates of the API families (tiles, mesh, BVH, hash grid, volume): see family_templates.cpp.
#pragma once

#include <vector>

#include "generator/templates.h"

namespace warpsynth::generator {

const std::vector<Template>& family_templates();

}  // namespace warpsynth::generator

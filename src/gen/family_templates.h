// Templates of the API families (tiles, mesh, BVH, hash grid, volume): see family_templates.cpp.
#pragma once

#include <vector>

#include "gen/templates.h"

namespace warpsynth::gen {

const std::vector<Template>& family_templates();

}  // namespace warpsynth::gen

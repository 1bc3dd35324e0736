#include "generator/variants/other_names.h"

#include <algorithm>
#include <initializer_list>

namespace warpsynth::generator::variants {
namespace {

using Group = std::initializer_list<std::string_view>;

// Whole names that mean the same in a kernel. A name in two groups may become a member of either.
const std::initializer_list<Group> kWholeNames = {
    {"idx", "index"},
    {"pos", "position", "p"},
    {"vel", "velocity", "v"},
    {"accel", "acceleration"},
    {"force", "f"},
    {"mass", "m"},
    {"inv_mass", "inv_m"},
    {"dist", "distance", "d"},
    {"dir", "direction"},
    {"radius", "r"},
    {"rot", "rotation"},
    {"xform", "transform", "tf"},
    {"result", "res"},
    {"val", "value"},
    {"count", "num", "n"},
    {"err", "error"},
    {"grad", "gradient"},
    {"delta", "diff"},
    {"center", "c"},
    {"scale", "s"},
    {"weight", "w"},
    {"density", "rho"},
    {"energy", "e"},
    {"cur", "curr", "current"},
    {"prev", "previous"},
    {"tmp", "temp"},
    {"positions", "points"},
    {"mesh", "mesh_id"},
    {"bvh", "bvh_id"},
    {"query", "q"},
    {"face", "face_idx"},
    {"normal", "n"},
    {"num_particles", "particle_count"},
    {"num_bodies", "body_count"},
    {"num_shapes", "shape_count"},
    {"eps", "epsilon"},
    {"angle", "theta"},
};

// Parts of a snake_case name: `body_idx` may become `body_index`. Only parts that come alone: a
// pair (lo/hi, start/end, src/dst, kp/kd) renamed on one side reads as a mistake.
const std::initializer_list<Group> kNameParts = {
    {"idx", "index"},
    {"pos", "position"},
    {"vel", "velocity"},
    {"num", "n"},
    {"dist", "distance"},
    {"dir", "direction"},
    {"rot", "rotation"},
    {"tmp", "temp"},
    {"prev", "previous"},
    {"cur", "current"},
    {"lin", "linear"},
    {"ang", "angular"},
    {"pt", "point"},
    {"tri", "triangle"},
    {"mat", "matrix"},
    {"accel", "acceleration"},
};

void add_members(std::vector<std::string>& out, std::string_view name, Group group) {
  if (std::find(group.begin(), group.end(), name) == group.end()) return;
  for (std::string_view other : group) {
    if (other != name && std::find(out.begin(), out.end(), other) == out.end()) out.emplace_back(other);
  }
}

}  // namespace

std::vector<std::string> other_spellings_of_part(std::string_view part) {
  std::vector<std::string> out;
  if (part.size() == 1) return out;  // `n` of `n_hat` is a normal, of `n_bodies` a count
  for (Group group : kNameParts) add_members(out, part, group);
  return out;
}

std::vector<std::string> other_names(std::string_view name, NameRole role) {
  std::vector<std::string> out;
  if (role == NameRole::kThreadIndex) {
    add_members(out, name, {"tid", "i"});  // what real kernels name it (tid 378, i 343 in out/corpus)
    return out;
  }
  if (name.size() == 1) {
    // One letter says little of what it holds (`c` is a center, a constraint or a color): only a
    // loop counter has others of its kind.
    if (role == NameRole::kLoopCounter) add_members(out, name, {"i", "j", "k"});
    return out;
  }
  // Short names that stand for more than one thing become nothing else: `rho` is a density, or
  // ADMM's penalty; `res` a result, a residual or a resolution. (They may still be what a longer
  // name becomes.)
  for (std::string_view ambiguous : {"rho", "res"}) {
    if (name == ambiguous) return out;
  }
  for (Group group : kWholeNames) add_members(out, name, group);
  return out;
}

}  // namespace warpsynth::generator::variants

#include "model/family_builtins.h"

#include <set>
#include <string>

namespace warpsynth::model {

bool is_family_builtin(std::string_view name) {
  static const std::set<std::string, std::less<>> names = {
      "tile_load",     "tile_store",       "tile_map",        "tile_sum",          "tile_max",
      "tile_min",      "tile_matmul",      "tile_zeros",      "tile_transpose",    "mesh_query_point",
      "mesh_query_point_no_sign",          "mesh_query_point_sign_normal",         "mesh_query_ray",
      "bvh_query_aabb", "bvh_query_ray",   "bvh_query_next",  "hash_grid_query",   "hash_grid_query_next",
  };
  return names.count(name) > 0;
}

std::optional<Type> opaque_field(const Type& query, std::string_view field) {
  const Type f32 = Type::scalar_of(Scalar::kFloat32);
  const Type i32 = Type::scalar_of(Scalar::kInt32);
  const Type b = Type::scalar_of(Scalar::kBool);
  if (query.is_opaque(Opaque::kMeshQueryPoint) || query.is_opaque(Opaque::kMeshQueryRay)) {
    if (field == "result") return b;
    if (field == "face") return i32;
    if (field == "sign" || field == "u" || field == "v") return f32;
    if (query.is_opaque(Opaque::kMeshQueryRay)) {
      if (field == "t") return f32;
      if (field == "normal") return Type::vector_of(3, Scalar::kFloat32);
    }
  }
  return std::nullopt;
}

}  // namespace warpsynth::model

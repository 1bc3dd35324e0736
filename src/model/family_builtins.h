// Builtins of the API families (tiles, mesh, BVH and hash-grid queries) that the exported catalog
// cannot list: Warp types their results from the arguments (tiles) or returns query objects the
// catalog has no name for. Generated code calls them only in the templates written for them
// (gen/family_templates.cpp), with arguments those templates type; the type checker trusts the
// result type the template gives and checks the operands. Read against Warp 1.19.0 (its
// examples and tests, and the registry: warp._src.context.builtin_functions).
#pragma once

#include <optional>
#include <string_view>

#include "model/type.h"

namespace warpsynth::model {

bool is_family_builtin(std::string_view name);

// The field of a query object (`query.result`, `query.face`, ...), or nothing.
std::optional<Type> opaque_field(const Type& query, std::string_view field);

}  // namespace warpsynth::model

// What a kernel uses: builtins, types and language constructs, read from the finished Program by a
// walker (not recorded while generating, so that code the generator removed is not counted).
// Written to each generated record's meta.features.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/catalog.h"
#include "model/ast.h"

namespace warpsynth::model {

// The construct names, in the order docs/generator.md lists them.
inline const char* const kConstructs[] = {
    "local", "aug_assign", "reassign", "if", "elif", "else", "ternary", "for_range", "for_range_step",
    "while", "break", "continue", "early_return", "tid_nd", "atomic", "array_store", "struct_field",
    "component_read", "component_store", "func_call", "func_overload", "cast", "compare", "bool_op",
    "tuple_unpack",
};

// Each list sorted, each name once.
struct Features {
  std::vector<std::string> builtins;  // catalog keys ("vector" for wp.vec3(...), "add" for +)
  std::vector<std::string> types;     // Warp type names, "arrayNd", "struct"
  std::vector<std::string> constructs;

  nlohmann::ordered_json to_json() const {
    return {{"builtins", builtins}, {"types", types}, {"constructs", constructs}};
  }
};

Features collect_features(const Program& program, const catalog::Catalog& catalog);

}  // namespace warpsynth::model

// What a generated kernel uses: builtins, types and language constructs. Recorded while the
// generator builds the kernel (not parsed back), written to each record's meta.features.
#pragma once

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "model/type.h"

namespace warpsynth::gen {

// The construct names the generator reports, in the order docs/generator.md lists them.
inline const char* const kConstructs[] = {
    "local", "aug_assign", "reassign", "if", "elif", "else", "ternary", "for_range", "for_range_step",
    "while", "break", "continue", "early_return", "tid_nd", "atomic", "array_store", "struct_field",
    "component_read", "component_store", "func_call", "func_overload", "cast", "compare", "bool_op",
    "tuple_unpack",
};

struct Features {
  std::set<std::string> builtins;
  std::set<std::string> types;
  std::set<std::string> constructs;

  void construct(const char* name) { constructs.insert(name); }
  void type(const model::Type& t) {
    std::string name = t.is_array() ? "" : model::warp_name(t);
    if (t.is_array()) {
      types.insert("array" + std::to_string(t.array_ndim) + "d");
      name = model::warp_name(t.element());
    }
    if (!name.empty()) types.insert(name);
    else if (t.kind == model::Kind::kStruct) types.insert("struct");
  }
  nlohmann::ordered_json to_json() const {
    return {{"builtins", builtins}, {"types", types}, {"constructs", constructs}};
  }
};

}  // namespace warpsynth::gen

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
  std::set<std::string> constructs;

  void construct(const char* name) { constructs.insert(name); }
  // Types are kept as small codes while generating (this runs for every node) and named once.
  void type(const model::Type& t) {
    type_codes.insert(std::uint64_t(t.kind) | std::uint64_t(t.scalar) << 8 | std::uint64_t(t.rows) << 16 |
                      std::uint64_t(t.cols) << 24 | std::uint64_t(t.array_ndim) << 32);
  }
  std::set<std::string> types() const {
    std::set<std::string> names;
    for (std::uint64_t code : type_codes) {
      model::Type t;
      t.kind = model::Kind(code & 0xff);
      t.scalar = model::Scalar((code >> 8) & 0xff);
      t.rows = std::uint8_t(code >> 16);
      t.cols = std::uint8_t(code >> 24);
      if (std::uint8_t ndim = std::uint8_t(code >> 32)) names.insert("array" + std::to_string(ndim) + "d");
      if (t.kind == model::Kind::kStruct) names.insert("struct");
      else if (t.kind != model::Kind::kVoid) names.insert(model::warp_name(t));
    }
    return names;
  }
  nlohmann::ordered_json to_json() const {
    return {{"builtins", builtins}, {"types", types()}, {"constructs", constructs}};
  }

  std::set<std::uint64_t> type_codes;
};

}  // namespace warpsynth::gen

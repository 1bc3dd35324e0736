// The generator's knobs and probability tables. Defaults are built in; a JSON file given with
// --config overrides any subset (unknown keys are an error). `warpsynth generate --print-config`
// prints the effective table; docs/generator.md explains each entry.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace warpsynth::gen {

struct GeneratorConfig {
  int max_expr_depth = 3;        // levels of nested calls under a statement
  int max_block_statements = 4;  // free statements added to one block
  int max_nesting = 2;           // if/for/while inside each other
  int max_loop_trip = 8;         // iterations of any generated loop, at most
  int array_length = 64;         // launch size of 1-D kernels and their per-thread arrays
  int grid_side = 8;             // launch side of 2-D and 3-D kernels
  int table_length = 16;         // arrays indexed by computed indices (histogram bins, accumulators)
  int max_funcs = 3;             // generated @wp.funcs per kernel, at most
  double p_funcs = 0.4;          // a kernel comes with generated @wp.funcs
  double p_overload = 0.3;       // a generated func gets an overload (same name, other types)
  double p_struct = 0.12;        // a kernel of another template also takes a @wp.struct of parameters
  double p_operator_form = 0.85; // an operator builtin (add, mul, ...) is written as an operator
  double p_leaf = 0.35;          // an expression stops growing before the depth limit
  double p_ternary = 0.05;       // an expression is `a if cond else b`
  double p_component = 0.15;     // a scalar is read as a vector or matrix component
  double p_cast = 0.04;          // a scalar is converted from another scalar type
  double p_func_call = 0.5;      // an expression calls a generated func that returns its type
  std::map<std::string, double> templates;    // template name -> weight
  std::map<std::string, double> local_types;  // Warp type name -> weight, for new locals and params
  std::map<std::string, double> statements;   // statement kind -> weight, in free blocks
  std::vector<std::string> exclude_builtins;  // keys never called (need handles, print, assert...)
  std::vector<std::string> exclude_prefixes;  // keys starting with these are never called
  std::vector<std::string> exclude_groups;    // Warp documentation groups never called

  static GeneratorConfig defaults();
  // `overrides` is a JSON object with any subset of the fields; throws std::runtime_error naming
  // the first unknown or ill-typed key.
  static GeneratorConfig from_json(const nlohmann::json& overrides);
  static GeneratorConfig load(const std::string& path);
  nlohmann::ordered_json to_json() const;
  // 16 hex digits identifying the effective configuration (recorded in every sample).
  std::string hash() const;
};

}  // namespace warpsynth::gen

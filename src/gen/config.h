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
  int max_expr_depth = 2;        // levels of nested calls under a statement
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
  double p_operator_form = 0.97; // an operator builtin (add, mul, ...) is written as an operator
  double p_leaf = 0.5;           // an expression stops growing before the depth limit
  double p_ternary = 0.05;       // an expression is `a if cond else b`
  double p_component = 0.15;     // a scalar is read as a vector or matrix component
  double p_cast = 0.04;          // a scalar is converted from another scalar type
  double p_func_call = 0.5;      // an expression calls a generated func that returns its type
  double p_prefer_unread = 0.85; // a leaf reads a value nothing has read yet, when there is one
  double p_compare_literal = 0.5;  // the right side of a comparison is a literal (a threshold)
  double p_docstring = 0.7;      // a kernel gets a one-line docstring (its template's)
  int min_computations = 4;     // operations (calls, operators, comparisons) a kernel body holds at least
  int max_consumed = 4;          // unread values folded into a kernel's output value, at most
  double p_consume_multiply = 0.2;  // a scalar unread value joins the output by * rather than +
  // Leaves of an expression, by kind (weights; a kind with nothing in scope is skipped).
  double w_leaf_variable = 4.0;  // a local or parameter of the wanted type
  double w_leaf_load = 3.0;      // the thread's element of an input array
  double w_leaf_field = 3.0;     // a field of a struct parameter
  double w_leaf_literal = 0.6;   // a literal (never the whole input of a computing builtin)
  double w_leaf_component = 0.5; // a component of a vector or matrix
  // How strongly the choice of builtin follows real usage: a key's weight is
  // (1 + builtin_usage[key]) ^ builtin_usage_exponent; 0 picks keys uniformly.
  double builtin_usage_exponent = 0.6;
  std::map<std::string, double> builtin_usage;  // key -> kernels of the newton corpus calling it
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

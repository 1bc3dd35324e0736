// The generator's knobs and probability tables. Defaults are built in; a JSON file given with
// --config overrides any subset (unknown keys are an error). `warpsynth generate --print-config`
// prints the effective table; docs/generator.md explains each entry.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>


namespace warpsynth::generator {

// How far a variant of a real kernel goes from its parent (`generate --from`; the config's `variants`
// section; generator/variants/variant_maker.h makes them).
struct VariantPolicy {
  double p_rename = 0.8;          // each local or argument that has a fitting other name
  // One call of a builtin swapped for one of the same signatures. Rare: a swap changes what is
  // computed, and a reader sees a cbrt where a root belongs (a blind review named it).
  double p_swap_builtin = 0.05;
  double p_tune_constant = 0.5;   // per kernel: 1 or 2 round floating literals set to a near round value
  double p_reorder = 0.3;         // two adjacent independent assignments of other shapes swapped
  double p_loop_form = 0.3;       // range(0, n) -> range(n), in every loop of the module
  // A variant is new data: it shares fewer token 5-grams with its parent than this (the near-dedup
  // threshold of `dataset` is 0.85). A first draw that does not is redrawn with every edit on.
  double max_parent_jaccard = 0.84;
};

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
  // An operator builtin (add, mul, ...) is written as an operator. Real code has no wp.add, wp.sub or
  // wp.div call in 1,976 kernels; at 1.0 the near-dedup share of 10,000 kernels fell below 95%
  // (94.9%: the call spelling counts as diversity), so 0.99 (95.3%).
  double p_operator_form = 0.99;
  double p_leaf = 0.5;           // an expression stops growing before the depth limit
  double p_ternary = 0.05;       // an expression is `a if cond else b`
  double p_component = 0.15;     // a scalar is read as a vector or matrix component
  double p_cast = 0.04;          // a scalar is converted from another scalar type
  double p_func_call = 0.5;      // an expression calls a generated func that returns its type
  double p_prefer_unread = 0.85; // a leaf reads a value nothing has read yet, when there is one
  double p_compare_literal = 0.5;  // the right side of a comparison is a literal (a threshold)
  double p_docstring = 0.7;      // a kernel gets a one-line docstring (its template's)
  double p_array_subscript = 0.9;  // array annotations read wp.array[float], else wp.array(dtype=float)
  int min_computations = 4;     // operations (calls, operators, comparisons) a kernel body holds at least
  int max_consumed = 4;          // unread values folded into a kernel's output value, at most
  double p_consume_multiply = 0.2;  // a scalar unread value joins the output by * rather than +
  // Finer choices of expression and statement synthesis (synth.cpp, statements.cpp).
  double p_float32 = 0.85;        // a float type drawn for a cast or comparison is float32
  double p_float64 = 0.05;        // ... float64 (the rest: float16)
  double p_overload_same_return = 0.5; // an overload returns the type of the func it overloads
  double p_true_literal = 0.5;    // a bool literal is True
  double p_common_float_literal = 0.7; // a float literal is one of the common constants (0.5, 1.0, 9.81, ...), else two decimals
  double p_splat_vector_literal = 0.3; // a vector literal has one component for all (wp.vec3(0.0))
  double p_matrix_literal_components = 0.3; // a matrix literal of 3x3 or less lists its components, else wp.diag(v)
  double p_component_of_variable = 0.75; // a component is read from a variable, else from a computed vector
  double p_cast_from_int = 0.5;   // a float cast converts an int32 (else another float type)
  double p_cast_from_int32 = 0.6; // an int cast converts an int32 (else an int64)
  double p_compare_float32 = 0.6; // a comparison is on float32 values
  double p_compare_int = 0.75;    // ... else on int32 values (the rest: another float type)
  double p_condition_bool_op = 0.12; // a condition is `a and b` or `a or b`
  double p_condition_not = 0.04;  // a condition is `not c`
  double p_condition_builtin = 0.06; // a condition is a builtin returning bool (wp.isnan(x), ...)
  double p_condition_bool_var = 0.06; // a condition is a bool variable (the rest: a comparison)
  double p_and = 0.5;             // a boolean operator is `and` (else `or`)
  double p_construct = 0.08;      // a composite value is built from components rather than by a builtin
  double p_length = 0.8;          // a vector folded into a scalar result goes through wp.length (else wp.length_sq)
  double p_atomic_as_aug_store = 0.3; // an atomic add is written `a[i] += v`
  double p_continue = 0.4;        // a loop's early exit is `continue` (else `break`), where continue is allowed
  double p_loop_exit_first = 0.18; // a loop body starts with an early exit
  double p_loop_exit_last = 0.18; // a loop body ends with an early exit
  double p_range_count = 0.35;    // a for loop is `range(n)`
  double p_range_start_stop = 0.25; // ... `range(a, b)`
  double p_range_step = 0.2;      // ... `range(a, b, step)` (the rest: a window starting at a variable)
  double p_range_step_negative = 0.5; // a stepped range counts down by 1 (else up by 2 or 3)
  double p_int_update_literal = 0.5; // an integer update adds a literal (else a leaf)
  double p_elif = 0.3;            // an if statement gets an elif
  double p_else = 0.5;            // an if statement gets an else
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
  // The optional parts and variants of each template, by "template.part" (a probability each):
  // `map.second_input` (a second input array), `stencil.float32` (float32 data), ... The names
  // are stable; a config file may set any of them.
  std::map<std::string, double, std::less<>> template_options;  // searched by const char* (no string made)
  std::map<std::string, double> templates;    // template name -> weight
  std::map<std::string, double> local_types;  // Warp type name -> weight, for new locals and params
  std::map<std::string, double> statements;   // statement kind -> weight, in free blocks
  std::vector<std::string> exclude_builtins;  // keys never called (need handles, print, assert...)
  std::vector<std::string> exclude_prefixes;  // keys starting with these are never called
  std::vector<std::string> exclude_groups;    // Warp documentation groups never called
  VariantPolicy variants;           // generate --from: how far a variant goes from its parent

  static GeneratorConfig defaults();
  // `overrides` is a JSON object with any subset of the fields; throws std::runtime_error naming
  // the first unknown or ill-typed key.
  static GeneratorConfig from_json(const nlohmann::json& overrides);
  static GeneratorConfig load(const std::string& path);
  nlohmann::ordered_json to_json() const;
  nlohmann::ordered_json variants_json() const;  // the `variants` section
  // 16 hex digits identifying the effective configuration (recorded in every sample).
  std::string hash() const;
};

// Throws std::runtime_error naming the first value out of its range: probabilities (p_*,
// template_options) in [0, 1], weights (w_*, templates, local_types, statements, builtin_usage)
// finite, >= 0 and at most 1e12, the drawn tables with a positive sum. from_json calls it.
void validate_values(const GeneratorConfig& c);

}  // namespace warpsynth::generator

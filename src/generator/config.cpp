#include "generator/config.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include <xxhash.h>

#include "generator/builtin_usage.h"

namespace warpsynth::generator {

GeneratorConfig GeneratorConfig::defaults() {
  GeneratorConfig c;
  for (const char* name : {"map", "map_nd", "stencil", "reduction", "histogram", "prefix_window", "particles",
                           "springs", "rigid_transform", "matrix_math", "ray_geometry", "random_sampling",
                           "struct_params", "free_form", "tile_rows", "tile_gemm", "mesh_query", "bvh_query",
                           "hash_grid", "volume_sample"}) {
    c.templates[name] = 1.0;
  }
  // Tile kernels, springs, ray casts and query loops vary less (a fixed skeleton is most of their
  // code): fewer of them keeps near-duplicates rare.
  c.templates["tile_rows"] = 0.6;
  c.templates["tile_gemm"] = 0.2;
  for (const char* name : {"springs", "ray_geometry", "hash_grid", "bvh_query"}) c.templates[name] = 0.7;
  // Weights near how often real kernels hold each type (float32 and vec3 first; doubles, halves,
  // 4x4 and spatial types rare): every wp.float64(...) or wp.quat(...) written is a call in the
  // histogram `stats --against` compares with real code.
  c.local_types = {
      {"float32", 8},   {"vec3f", 5},     {"int32", 3},      {"vec2f", 1.5},  {"vec4f", 0.5},
      {"mat33f", 0.8},  {"mat22f", 0.3},  {"mat44f", 0.15},  {"quatf", 0.4},  {"transformf", 0.6},
      {"spatial_vectorf", 0.2}, {"spatial_matrixf", 0.03},   {"bool", 1},     {"float64", 0.15},
      {"vec3d", 0.1},   {"vec2d", 0.04},  {"vec4d", 0.04},   {"mat33d", 0.08}, {"mat22d", 0.03},
      {"mat44d", 0.03}, {"quatd", 0.08},  {"transformd", 0.05}, {"spatial_vectord", 0.03},
      {"float16", 0.1}, {"vec3h", 0.05},  {"vec2h", 0.03},   {"uint32", 0.4}, {"int64", 0.2},
      {"uint64", 0.1},  {"int8", 0.1},    {"uint8", 0.1},    {"int16", 0.1},  {"uint16", 0.1},
      {"vec3i", 0.3},   {"vec2i", 0.2},   {"vec4i", 0.1},    {"vec3ui", 0.05},
  };
  c.statements = {
      {"local", 4},         {"aug_assign", 2}, {"reassign", 1},   {"component_store", 0.3},
      {"if", 1.6},          {"for", 1.2},      {"while", 0.5},    {"atomic", 0.6},
      {"early_return", 0.3}, {"func_call", 0.6},    {"unpack", 0.3},     {"in_place", 0.3},
  };
  c.builtin_usage = newton_builtin_usage();
  c.template_options = {
      {"bvh_query.count", 0.25}, {"bvh_query.float_items", 0.7}, {"bvh_query.ray", 0.4},
      {"data.float32", 0.4}, {"data.vec3", 0.25},
      {"free_form.accumulator", 0.4}, {"free_form.two_dims", 0.3},
      {"hash_grid.float_out", 0.6}, {"hash_grid.mass", 0.5},
      {"histogram.float32_samples", 0.7}, {"histogram.weighted", 0.7},
      {"map.second_input", 0.5},
      {"map_nd.three_dims", 0.35},
      {"matrix_math.float32", 0.8}, {"matrix_math.transpose", 0.5}, {"matrix_math.vector_out", 0.7},
      {"mesh_query.face_normal", 0.5}, {"mesh_query.float_out", 0.6}, {"mesh_query.ray", 0.35}, {"mesh_query.signed", 0.5}, {"mesh_query.unsigned", 0.5},
      {"params.float32", 0.7},
      {"particles.gravity", 0.6}, {"particles.ground_contact", 0.5}, {"particles.inverse_mass", 0.5},
      {"particles.new_state_arrays", 0.85},
      {"prefix_window.float32", 0.6}, {"prefix_window.loop_statement", 0.4}, {"prefix_window.plain_sum", 0.5}, {"prefix_window.vec3", 0.6}, {"prefix_window.weights", 0.5},
      {"random_sampling.vec3_out", 0.5}, {"random_sampling.around_input", 0.85},
      {"ray_geometry.shade", 0.5}, {"springs.strain", 0.3}, {"springs.cubic", 0.25},
      {"reduction.float32", 0.6}, {"reduction.max", 0.5}, {"reduction.min_or_max", 0.5}, {"reduction.vec3", 0.5},
      {"rigid_transform.float32", 0.85}, {"rigid_transform.rotate", 0.6}, {"rigid_transform.rotation_of_pose", 0.5}, {"rigid_transform.rotations", 0.5}, {"rigid_transform.vec3_out", 0.7},
      {"springs.add", 0.5}, {"springs.damping", 0.5},
      {"stencil.diffusivity_param", 0.7}, {"stencil.extra_term", 0.4}, {"stencil.float32", 0.65}, {"stencil.vector", 0.5},
      {"tile_gemm.alpha", 0.5}, {"tile_gemm.helper_func", 0.6}, {"tile_gemm.map", 0.4}, {"tile_gemm.tk4", 0.5}, {"tile_gemm.tm8", 0.5}, {"tile_gemm.tn8", 0.5},
      {"tile_rows.helper_func", 0.6}, {"tile_rows.max", 0.5}, {"tile_rows.reduce", 0.65}, {"tile_rows.scale", 0.6}, {"tile_rows.sum", 0.6}, {"tile_rows.tile16", 0.5}, {"tile_rows.tile32", 0.5}, {"tile_rows.two_inputs", 0.4},
      {"volume_sample.float_out", 0.6}, {"volume_sample.gradient", 0.4}, {"volume_sample.linear", 0.7},
  };
  c.exclude_builtins = {"breakpoint", "expect_near", "expect_eq", "expect_neq", "print", "printf", "tid", "pos",
                        // type constructors: written as wp.vec3(...), wp.quat(...), ... (kConstruct)
                        "vector", "matrix", "quaternion", "transformation", "spatial_vector", "spatial_matrix",
                        "identity",
                        // its value is the launch's block size: 1 on the CPU, 256 on CUDA by default, so
                        // any output it reaches differs between the devices (gpu_run found it)
                        "block_dim"};
  c.exclude_prefixes = {"mesh_", "bvh_", "hash_grid_", "volume_", "tile_", "texture_"};
  c.exclude_groups = {"Volumes", "Tile Primitives", "Textures", "Code Generation"};
  return c;
}

namespace {

template <typename T>
void read(const nlohmann::json& j, const char* key, T& field) {
  if (!j.contains(key)) return;
  try {
    field = j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(std::string("config key '") + key + "' has the wrong type");
  }
}

// The `variants` section's fields, named once for reading and writing it.
template <class Policy>  // VariantPolicy, or const VariantPolicy
auto variant_fields(Policy& p) {
  using Field = std::pair<const char*, decltype(&p.p_rename)>;
  return std::array<Field, 6>{{{"p_rename", &p.p_rename},
                               {"p_swap_builtin", &p.p_swap_builtin},
                               {"p_tune_constant", &p.p_tune_constant},
                               {"p_reorder", &p.p_reorder},
                               {"p_loop_form", &p.p_loop_form},
                               {"max_parent_jaccard", &p.max_parent_jaccard}}};
}

// The `variants` section (generate --from): every key known (validate_values checks the values).
void read_variant_policy(const nlohmann::json& j, VariantPolicy& p) {
  if (!j.is_object()) throw std::runtime_error("config key 'variants' must be an object");
  const auto fields = variant_fields(p);
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::none_of(fields.begin(), fields.end(), [&](const auto& f) { return it.key() == f.first; }))
      throw std::runtime_error("unknown config key 'variants." + it.key() + "'");
  }
  for (const auto& [key, field] : fields) read(j, key, *field);
}

}  // namespace

GeneratorConfig GeneratorConfig::from_json(const nlohmann::json& overrides) {
  if (!overrides.is_object()) throw std::runtime_error("config must be a JSON object");
  GeneratorConfig c = defaults();
  nlohmann::ordered_json known = c.to_json();
  for (auto it = overrides.begin(); it != overrides.end(); ++it) {
    if (!known.contains(it.key())) throw std::runtime_error("unknown config key '" + it.key() + "'");
  }
  read(overrides, "max_expr_depth", c.max_expr_depth);
  read(overrides, "max_block_statements", c.max_block_statements);
  read(overrides, "max_nesting", c.max_nesting);
  read(overrides, "max_loop_trip", c.max_loop_trip);
  read(overrides, "array_length", c.array_length);
  read(overrides, "grid_side", c.grid_side);
  read(overrides, "table_length", c.table_length);
  read(overrides, "max_funcs", c.max_funcs);
  read(overrides, "p_funcs", c.p_funcs);
  read(overrides, "p_overload", c.p_overload);
  read(overrides, "p_struct", c.p_struct);
  read(overrides, "p_operator_form", c.p_operator_form);
  read(overrides, "p_leaf", c.p_leaf);
  read(overrides, "p_ternary", c.p_ternary);
  read(overrides, "p_component", c.p_component);
  read(overrides, "p_cast", c.p_cast);
  read(overrides, "p_func_call", c.p_func_call);
  read(overrides, "p_prefer_unread", c.p_prefer_unread);
  read(overrides, "p_compare_literal", c.p_compare_literal);
  read(overrides, "p_docstring", c.p_docstring);
  read(overrides, "p_array_subscript", c.p_array_subscript);
  read(overrides, "max_consumed", c.max_consumed);
  read(overrides, "min_computations", c.min_computations);
  read(overrides, "p_consume_multiply", c.p_consume_multiply);
  read(overrides, "p_float32", c.p_float32);
  read(overrides, "p_float64", c.p_float64);
  read(overrides, "p_overload_same_return", c.p_overload_same_return);
  read(overrides, "p_true_literal", c.p_true_literal);
  read(overrides, "p_common_float_literal", c.p_common_float_literal);
  read(overrides, "p_splat_vector_literal", c.p_splat_vector_literal);
  read(overrides, "p_matrix_literal_components", c.p_matrix_literal_components);
  read(overrides, "p_component_of_variable", c.p_component_of_variable);
  read(overrides, "p_cast_from_int", c.p_cast_from_int);
  read(overrides, "p_cast_from_int32", c.p_cast_from_int32);
  read(overrides, "p_compare_float32", c.p_compare_float32);
  read(overrides, "p_compare_int", c.p_compare_int);
  read(overrides, "p_condition_bool_op", c.p_condition_bool_op);
  read(overrides, "p_condition_not", c.p_condition_not);
  read(overrides, "p_condition_builtin", c.p_condition_builtin);
  read(overrides, "p_condition_bool_var", c.p_condition_bool_var);
  read(overrides, "p_and", c.p_and);
  read(overrides, "p_construct", c.p_construct);
  read(overrides, "p_length", c.p_length);
  read(overrides, "p_atomic_as_aug_store", c.p_atomic_as_aug_store);
  read(overrides, "p_continue", c.p_continue);
  read(overrides, "p_loop_exit_first", c.p_loop_exit_first);
  read(overrides, "p_loop_exit_last", c.p_loop_exit_last);
  read(overrides, "p_range_count", c.p_range_count);
  read(overrides, "p_range_start_stop", c.p_range_start_stop);
  read(overrides, "p_range_step", c.p_range_step);
  read(overrides, "p_range_step_negative", c.p_range_step_negative);
  read(overrides, "p_int_update_literal", c.p_int_update_literal);
  read(overrides, "p_elif", c.p_elif);
  read(overrides, "p_else", c.p_else);
  read(overrides, "w_leaf_variable", c.w_leaf_variable);
  read(overrides, "w_leaf_load", c.w_leaf_load);
  read(overrides, "w_leaf_field", c.w_leaf_field);
  read(overrides, "w_leaf_literal", c.w_leaf_literal);
  read(overrides, "w_leaf_component", c.w_leaf_component);
  read(overrides, "builtin_usage_exponent", c.builtin_usage_exponent);
  // Tables given are merged over the defaults: a file can change one weight.
  auto merge = [&](const char* key, auto& table) {
    std::map<std::string, double> given;
    read(overrides, key, given);
    for (const auto& [name, weight] : given) {
      if (!table.count(name) && std::string(key) != "local_types") {
        throw std::runtime_error(std::string("config '") + key + "' has no entry '" + name + "'");
      }
      table[name] = weight;
    }
  };
  merge("templates", c.templates);
  merge("local_types", c.local_types);
  merge("statements", c.statements);
  merge("template_options", c.template_options);
  {
    std::map<std::string, double> given;  // any key: a builtin the table does not list may get a weight
    read(overrides, "builtin_usage", given);
    for (const auto& [name, weight] : given) c.builtin_usage[name] = weight;
  }
  read(overrides, "exclude_builtins", c.exclude_builtins);
  read(overrides, "exclude_prefixes", c.exclude_prefixes);
  read(overrides, "exclude_groups", c.exclude_groups);
  if (c.max_expr_depth < 1 || c.max_expr_depth > 8) throw std::runtime_error("max_expr_depth must be 1..8");
  if (c.max_loop_trip < 1 || c.max_loop_trip > 64) throw std::runtime_error("max_loop_trip must be 1..64");
  if (c.array_length < 8 || c.grid_side < 2 || c.table_length < 2) throw std::runtime_error("array sizes too small");
  if (overrides.contains("variants")) read_variant_policy(overrides.at("variants"), c.variants);
  validate_values(c);
  return c;
}

namespace {

std::string number_text(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

}  // namespace

void validate_values(const GeneratorConfig& c) {
  // Every value is checked by its kind, read off the JSON form so that a field added later is
  // checked too: probabilities (p_*, template_options) in [0, 1]; weights (w_*, the tables)
  // finite and >= 0, with a positive sum where one is drawn from the table (issue 13: all-zero,
  // negative or 1e308 weights were accepted and every sample became one template).
  const nlohmann::ordered_json j = c.to_json();
  auto fail = [](const std::string& what) { throw std::runtime_error("config " + what); };
  for (const auto& [key, value] : j.items()) {
    if (!value.is_number()) continue;
    const double v = value.get<double>();
    if (key.rfind("p_", 0) == 0 && !(v >= 0.0 && v <= 1.0)) fail("'" + key + "' is " + number_text(v) + ": a probability must be in [0, 1]");
    if (key.rfind("w_", 0) == 0 && !(std::isfinite(v) && v >= 0.0)) fail("'" + key + "' is " + number_text(v) + ": a weight must be finite and >= 0");
    if (!std::isfinite(v)) fail("'" + key + "' is " + number_text(v) + ": not a finite number");
  }
  // The variants section: probabilities, and a share of 5-grams, all in [0, 1].
  for (const auto& [key, value] : j.at("variants").items()) {
    const double v = value.get<double>();
    if (!(v >= 0.0 && v <= 1.0)) fail("'variants." + key + "' is " + number_text(v) + ": a probability must be in [0, 1]");
  }
  for (const auto& [name, p] : c.template_options) {
    if (!(p >= 0.0 && p <= 1.0)) fail("template_options '" + name + "' is " + number_text(p) + ": a probability must be in [0, 1]");
  }
  auto weights = [&](const char* table_name, const std::map<std::string, double>& table, bool drawn) {
    double sum = 0.0;
    for (const auto& [name, w] : table) {
      // 1e300 and more would overflow the sum of the weights the generator draws from
      if (!(std::isfinite(w) && w >= 0.0 && w <= 1e12)) {
        fail(std::string(table_name) + " '" + name + "' is " + number_text(w) + ": a weight must be finite, >= 0 and at most 1e12");
      }
      sum += w;
    }
    if (drawn && !(sum > 0.0)) fail(std::string(table_name) + ": the weights sum to 0; at least one must be above 0");
  };
  weights("templates", c.templates, true);
  weights("local_types", c.local_types, true);
  weights("statements", c.statements, true);
  weights("builtin_usage", c.builtin_usage, false);
}

GeneratorConfig GeneratorConfig::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read config " + path);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error("config " + path + " is not valid JSON");
  try {
    return from_json(j);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

nlohmann::ordered_json GeneratorConfig::to_json() const {
  return {
      {"max_expr_depth", max_expr_depth}, {"max_block_statements", max_block_statements},
      {"max_nesting", max_nesting},       {"max_loop_trip", max_loop_trip},
      {"array_length", array_length},     {"grid_side", grid_side},
      {"table_length", table_length},     {"max_funcs", max_funcs},
      {"p_funcs", p_funcs},               {"p_overload", p_overload},
      {"p_struct", p_struct},             {"p_operator_form", p_operator_form},
      {"p_leaf", p_leaf},                 {"p_ternary", p_ternary},
      {"p_component", p_component},       {"p_cast", p_cast},
      {"p_func_call", p_func_call},       {"p_prefer_unread", p_prefer_unread},
      {"p_compare_literal", p_compare_literal}, {"p_docstring", p_docstring},
      {"p_array_subscript", p_array_subscript},
      {"min_computations", min_computations}, {"max_consumed", max_consumed},     {"p_consume_multiply", p_consume_multiply},
      {"p_float32", p_float32},
      {"p_float64", p_float64},
      {"p_overload_same_return", p_overload_same_return},
      {"p_true_literal", p_true_literal},
      {"p_common_float_literal", p_common_float_literal},
      {"p_splat_vector_literal", p_splat_vector_literal},
      {"p_matrix_literal_components", p_matrix_literal_components},
      {"p_component_of_variable", p_component_of_variable},
      {"p_cast_from_int", p_cast_from_int},
      {"p_cast_from_int32", p_cast_from_int32},
      {"p_compare_float32", p_compare_float32},
      {"p_compare_int", p_compare_int},
      {"p_condition_bool_op", p_condition_bool_op},
      {"p_condition_not", p_condition_not},
      {"p_condition_builtin", p_condition_builtin},
      {"p_condition_bool_var", p_condition_bool_var},
      {"p_and", p_and},
      {"p_construct", p_construct},
      {"p_length", p_length},
      {"p_atomic_as_aug_store", p_atomic_as_aug_store},
      {"p_continue", p_continue},
      {"p_loop_exit_first", p_loop_exit_first},
      {"p_loop_exit_last", p_loop_exit_last},
      {"p_range_count", p_range_count},
      {"p_range_start_stop", p_range_start_stop},
      {"p_range_step", p_range_step},
      {"p_range_step_negative", p_range_step_negative},
      {"p_int_update_literal", p_int_update_literal},
      {"p_elif", p_elif},
      {"p_else", p_else},
      {"w_leaf_variable", w_leaf_variable}, {"w_leaf_load", w_leaf_load},
      {"w_leaf_field", w_leaf_field},     {"w_leaf_literal", w_leaf_literal},
      {"w_leaf_component", w_leaf_component}, {"builtin_usage_exponent", builtin_usage_exponent},
      {"builtin_usage", builtin_usage},   {"template_options", template_options},
      {"templates", templates},
      {"local_types", local_types},       {"statements", statements},
      {"exclude_builtins", exclude_builtins}, {"exclude_prefixes", exclude_prefixes},
      {"exclude_groups", exclude_groups},
      {"variants", variants_json()},
  };
}

nlohmann::ordered_json GeneratorConfig::variants_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [key, field] : variant_fields(variants)) j[key] = *field;
  return j;
}

std::string GeneratorConfig::hash() const {
  // The `variants` section shapes only `generate --from`, whose run hashes it with its parents
  // (generate/sample_makers.cpp): kernels made from scratch keep the hash they had before the section was.
  nlohmann::ordered_json j = to_json();
  j.erase("variants");
  std::string text = j.dump();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(XXH3_64bits(text.data(), text.size())));
  return hex;
}

}  // namespace warpsynth::generator

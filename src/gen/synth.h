// Type-directed synthesis of expressions and statements inside one generated program.
// Templates (templates.cpp) lay out a kernel's skeleton and call into this for every hole:
// an expression of a wanted type is grown from the catalog signatures that return it, with
// bounded depth and guarded arguments; free statements are drawn from the config's table.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gen/builtin_index.h"
#include "gen/config.h"
#include "gen/features.h"
#include "gen/rng.h"
#include "model/ast.h"

namespace warpsynth::gen {

struct ArrayParam {
  std::string name;
  model::Type type;       // the array type
  bool per_thread;        // same shape as the launch: indexed by the thread's tid variables
  std::vector<int> shape;
};

struct Variable {
  std::string name;
  model::Type type;
  bool assignable;
};

class Synth {
 public:
  Synth(std::uint64_t seed, const BuiltinIndex& index, const GeneratorConfig& config);

  Rng& rng() { return rng_; }
  const GeneratorConfig& config() const { return config_; }
  const BuiltinIndex& index() const { return index_; }
  model::Program& program() { return program_; }
  Features& features() { return features_; }
  const std::vector<int>& launch_dims() const { return launch_dims_; }
  const std::vector<ArrayParam>& arrays() const { return arrays_; }

  // --- naming and types
  // A name not used yet in the function being generated: `base`, else base2, base3, ...
  std::string fresh(const std::string& base);
  // A base name that suits a value of this type ("dir" for a vector, "q" for a quaternion...).
  std::string base_name_for(const model::Type& type);
  model::Type pick_local_type();
  model::Type pick_float_type();    // float32 mostly
  model::Type pick_numeric_type();  // a scalar, vector or matrix type that supports + and -

  // --- kernel layout (used by templates)
  void begin_kernel(const std::string& name, std::vector<int> launch_dims);
  // Adds a kernel parameter; arrays are recorded with their shape for the launch.
  void add_param(const std::string& name, const model::Type& type);
  void add_array(const std::string& name, const model::Type& type, bool per_thread, std::vector<int> shape = {});
  // Emits `i = wp.tid()` or `i, j = wp.tid()` and remembers the thread index variables.
  void emit_tid(model::Block& out, std::vector<std::string> names);
  const std::vector<std::string>& tid() const { return tid_; }
  // A @wp.struct of 2-5 parameters passed to the kernel as `name`; returns its struct id.
  int add_struct_param(const std::string& name);
  void make_funcs();

  // --- scopes
  void push_scope();
  void pop_scope();
  void declare(const std::string& name, const model::Type& type, bool assignable);
  std::vector<const Variable*> visible(const model::Type& type) const;

  // --- expressions
  model::ExprPtr expr(const model::Type& want, int depth = 0);
  model::ExprPtr leaf(const model::Type& want);
  model::ExprPtr literal(const model::Type& want);
  model::ExprPtr condition(int depth = 1);
  model::ExprPtr var(const std::string& name);
  model::ExprPtr int_literal(int value);
  // An empty constructor call of a composite type (wp.vec3(...)), recorded as the builtin it is.
  model::ExprPtr construct_node(const model::Type& type);
  model::ExprPtr float_literal(const std::string& text, const model::Type& type);
  // A builtin call by key for the given arguments, or nullptr when no overload takes them.
  model::ExprPtr call(const std::string& key, std::vector<model::ExprPtr> args, bool allow_operator = true);
  model::ExprPtr load(const ArrayParam& array);                    // array[tid...]
  model::ExprPtr load_at(const ArrayParam& array, model::ExprPtr index);  // 1-D array[index]
  model::ExprPtr shape(const ArrayParam& array, int axis);
  // clamp(index, 0, array.shape[axis] - 1): an index that is always in bounds.
  model::ExprPtr clamped_index(const ArrayParam& array, model::ExprPtr index, int axis = 0);
  const ArrayParam* array(const std::string& name) const;

  // --- statements
  void statements(model::Block& out, int count, int nesting);
  // `name = value`, declaring name; a bare literal is wrapped in a constructor so that the
  // local stays mutable in loops (Warp treats `x = 1.0` as a constant).
  std::string local(model::Block& out, const std::string& base, model::ExprPtr value, bool assignable = true);
  void store(model::Block& out, model::ExprPtr target, model::ExprPtr value);
  model::Stmt if_stmt(model::ExprPtr condition, model::Block body);
  void for_loop(model::Block& out, int nesting);
  void while_loop(model::Block& out, int nesting);
  void atomic(model::Block& out, const ArrayParam& array, model::ExprPtr index, model::ExprPtr value,
              const std::string& key = "atomic_add");

 private:
  model::ExprPtr builtin(int signature, int depth, bool allow_operator = true);
  // The call (or operator) of a catalog signature on arguments already made.
  model::ExprPtr apply(int signature, std::vector<model::ExprPtr> args, bool allow_operator);
  model::ExprPtr guarded(const std::string& key, int arg, const model::Param& param, int depth);
  model::ExprPtr random_state(int depth);
  model::ExprPtr component(const model::Type& want, int depth);
  model::ExprPtr cast(const model::Type& want, int depth);
  model::ExprPtr func_call(const model::Type& want, int depth);
  model::ExprPtr construct(const model::Type& want, int depth);
  model::ExprPtr compare(int depth);
  model::ExprPtr one(const model::Type& type);
  model::ExprPtr scalar_literal(const model::Type& type, double value);
  model::ExprPtr clamp_to(model::ExprPtr x, double low, double high);
  std::vector<const Variable*> assignable_where(bool (*pred)(const model::Type&)) const;
  model::ExprPtr mutable_value(model::ExprPtr value);
  model::Stmt loop_exit(bool allow_continue);
  void loop_body(model::Block& body, int nesting, bool allow_continue);
  int pick_overload(const KeyOverloads& key);
  void make_func(const std::string& name, const std::vector<model::Type>& param_types, const model::Type& returns);

  Rng rng_;
  const BuiltinIndex& index_;
  const GeneratorConfig& config_;
  model::Program program_;
  Features features_;
  std::vector<std::map<std::string, Variable>> scopes_;
  std::map<std::string, int> used_names_;
  std::vector<ArrayParam> arrays_;
  std::vector<std::string> tid_;
  std::vector<int> launch_dims_;
  int func_limit_ = 0;     // funcs callable from the code being generated
  bool in_kernel_ = false;
};

}  // namespace warpsynth::gen

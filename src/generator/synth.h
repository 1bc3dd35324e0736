// Type-directed synthesis of expressions and statements inside one generated program.
// Templates (templates.cpp, family_templates.cpp) lay out a kernel's skeleton and call into this
// for every hole: an expression of a wanted type is grown from the catalog signatures that return
// it, with bounded depth and guarded arguments; free statements are drawn from the table of
// statements.cpp. Implemented by idea: synth.cpp (names, types, kernel layout, scopes),
// expressions.cpp, data_flow.cpp (live values, what reaches an output), functions.cpp,
// statement_parts.cpp; every probability is a named field of GeneratorConfig.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "generator/builtin_index.h"
#include "generator/config.h"
#include "generator/name_set.h"
#include "generator/rng.h"
#include "generator/scopes.h"
#include "model/ast.h"

namespace warpsynth::generator {

struct ArrayParam {
  std::string name;
  model::Type type;       // the array type
  bool per_thread;        // same shape as the launch: indexed by the thread's tid variables
  std::vector<int> shape;
  bool output = false;    // written by the kernel, never read as an input
  // Written through atomics alone (a histogram's bins, a sum, forces): random atomic statements
  // may target it. Not an array the kernel reads, stores into or tile-stores: other threads'
  // atomics would race with those (gpu_run found atomic_add into an array other threads read,
  // and atomic_min into an array each thread also stores into).
  bool accumulator = false;
  // The atomic operation the kernel applies to this array's elements: "add" (atomic_add and
  // atomic_sub), "min", "max", "and", "or", "xor"; "" none yet; kMixedAtomics where several.
  // One kind per array keeps the result independent of the threads' order, on a GPU too
  // (gpu_run found atomic_min and atomic_add on one histogram bin, and atomic_exch on a sum's
  // slot, giving GPU outputs that differ from launch to launch).
  std::string atomic_family;
};

inline constexpr const char* kMixedAtomics = "mixed";
// The family of an atomic builtin (atomic_sub adds too); "" for those that do not commute
// (atomic_exch, atomic_cas).
std::string atomic_family_of(const std::string& key);

class Synth {
  friend struct StatementBuilders;  // the statement kinds (statements.cpp)

 public:
  // `statement_weights`: statement_weights(config), made once by the caller (a Synth lives for one kernel).
  Synth(std::uint64_t seed, const BuiltinIndex& index, const GeneratorConfig& config,
        const std::vector<double>& statement_weights);
  // The config's weight of each statement kind of statements.cpp's table, in its order.
  static std::vector<double> statement_weights(const GeneratorConfig& config);

  Rng& rng() { return rng_; }
  // A template's named option (config template_options): drawn, or its probability.
  bool option(const char* name) { return rng_.chance(option_value(name)); }
  double option_value(const char* name) const;
  const GeneratorConfig& config() const { return config_; }
  const BuiltinIndex& index() const { return index_; }
  model::Program& program() { return program_; }
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
  // An array the kernel writes: leaves never load from it (out[i] = out[i] computes nothing).
  void add_output(const std::string& name, const model::Type& type, bool per_thread, std::vector<int> shape = {});
  // `target = value` where value also folds in the values of the scope nothing has read yet (each
  // brought to the target's type), so that what the kernel computed reaches its output.
  void store_consuming(model::Block& out, model::ExprPtr target, model::ExprPtr value);
  // `body`: the block the value is computed in (its dead definitions are folded in); with
  // inputs_too, also the kernel's parameters and arrays nothing reads (for the top-level block).
  model::ExprPtr consume(model::ExprPtr value, const model::Block& body, bool inputs_too = true);
  // Whether `value`, stored after `body`, may differ between threads: it reads the thread index,
  // array data, or a name some statement of `body` computes from those (loops and branches
  // included; a conservative answer: reading an array counts, whatever the index).
  bool varies_per_thread(const model::Expr& value, const model::Block& body) const;
  const Variable* find_variable(const std::string& name) const;
  bool tid_names(const std::string& name) const;  // a thread index variable
  // Emits `i = wp.tid()` or `i, j = wp.tid()` and remembers the thread index variables.
  void emit_tid(model::Block& out, std::vector<std::string> names);
  const std::vector<std::string>& tid() const { return tid_; }
  // A @wp.struct of 2-5 parameters passed to the kernel as `name`; returns its struct id.
  int add_struct_param(const std::string& name);
  // Plans 1..max_funcs @wp.funcs (with probability p_funcs) that the code made after may call;
  // each is built when first called (use_func), and those never called are pruned.
  void make_funcs();
  // One @wp.func of these parameter types (a float -> float op for wp.tile_map); its index.
  int add_helper_func(const std::vector<model::Type>& params, const model::Type& returns);

  // --- API families (tiles, queries): calls the catalog cannot list, and the host side of a launch
  // wp.<name>(args) with the result type the template knows (model/family_builtins.h).
  model::ExprPtr family_call(const char* name, const model::Type& result, std::vector<model::ExprPtr> args);
  static model::ExprPtr keyword(const char* name, model::ExprPtr value);
  static model::ExprPtr int_tuple(std::vector<model::ExprPtr> items);
  static model::ExprPtr func_ref(const std::string& text, int func = -1);
  // What the launch needs besides arrays and scalars: `arg` gets the id of `object` (wp.Mesh, ...).
  void host_object(const std::string& arg, const std::string& object) { host_objects_[arg] = object; }
  const std::map<std::string, std::string>& host_objects() const { return host_objects_; }
  void launch_tiled(int block_dim) { tiled_block_dim_ = block_dim; }
  int tiled_block_dim() const { return tiled_block_dim_; }

  // --- scopes
  void push_scope();
  void pop_scope();
  // Around the generated statements of a template's dynamic loop (a query or window loop): the
  // variables declared before it read-only, `accumulators` unreadable (gen/loop_carry.h).
  std::vector<std::string> begin_loop_body(std::vector<std::string> accumulators) {
    ++while_depth_;  // the query loops are `while` loops
    return scopes_.begin_loop_body(std::move(accumulators));
  }
  void end_loop_body(const std::vector<std::string>& frozen) {
    --while_depth_;
    scopes_.end_loop_body(frozen);
  }
  void declare(const std::string& name, const model::Type& type, bool assignable, std::uint64_t constant_components = 0,
               std::shared_ptr<const model::Expr> copy_of = nullptr);
  std::vector<const Variable*> visible(const model::Type& type) const;
  void visible(const model::Type& type, std::vector<const Variable*>& out) const;  // into a reused buffer

  // --- expressions
  model::ExprPtr expr(const model::Type& want, int depth = 0);
  // A value that is not a constant (a variable, a load, a field, or built from one: float(i)),
  // preferring values not read yet; a literal only when the scope has nothing of the kind.
  model::ExprPtr live_value(const model::Type& want);
  // A literal, or a constructor, cast or sign of literals.
  static bool is_constant(const model::Expr& e);
  // A variable, element, field, literal or component, or a cast or constructor of those: no computation.
  static bool is_leaf_like(const model::Expr& e);
  // A constant, or a variable every component of which was declared constant (tangent = wp.vec3(0.0)).
  bool holds_constant(const model::Expr& e) const;
  // The components of a vector or matrix value that are constants (Variable::constant_components).
  static std::uint64_t constant_components(const model::Expr& e);
  // Statements the kernel needs at its top (the random state): inserted after the thread index.
  void insert_prologue(model::Block& body);
  model::ExprPtr leaf(const model::Type& want);
  model::ExprPtr literal(const model::Type& want);
  model::ExprPtr plain_literal(const model::Type& want);  // literal components only
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
  // Declares, before the body's random statements, an output the template writes through atomics
  // alone and the family it applies ("" none: the first random atomic statement chooses); random
  // atomic statements may target it and keep to that family.
  void declare_accumulator(const std::string& array, const std::string& family);

 private:
  model::ExprPtr builtin(int signature, int depth, bool allow_operator = true);
  // The call (or operator) of a catalog signature on arguments already made.
  model::ExprPtr apply(int signature, std::vector<model::ExprPtr> args, bool allow_operator);
  // Argument `arg` of a catalog signature, drawn and wrapped in its guard (BuiltinIndex::guard).
  model::ExprPtr guarded(int signature, int arg, int depth);
  model::ExprPtr random_state(int depth);
  // A per-thread random state (`state = wp.rand_init(seed, tid)`): read by random builtins only,
  // never folded into a result as a number.
  static bool is_random_state(const Variable& v);
  model::ExprPtr component(const model::Type& want, int depth);
  // base[k], or base[r, c] for a matrix, at a random in-range position.
  model::ExprPtr random_component(model::ExprPtr base);
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
  const Variable* pick_var(const std::vector<const Variable*>& vars);
  // A variable, load, field or component of the wanted type (a literal drawn with literal_weight
  // gives nullptr, as does a scope with nothing of the type).
  model::ExprPtr nonliteral_leaf(const model::Type& want, double literal_weight = 0.0);
  // `value` of another type brought to `want` (length of a vector, float(k), v * s...), or nullptr.
  model::ExprPtr convert(model::ExprPtr value, const model::Type& want);
  // Replaces an operand of a - a, a / a, wp.where(c, a, a) by another value.
  void avoid_trivial(const std::string& key, std::vector<model::ExprPtr>& args);
  // The same value: the same expression, or a variable declared as a copy of the other (t = d).
  bool same_value(const model::Expr& a, const model::Expr& b) const;
  // a + b is zero: one is the negation of the same value as the other (-x + x).
  bool cancels(const model::Expr& a, const model::Expr& b) const;
  // A func built at once; plan_func only declares one (name and types) for use_func to build.
  void make_func(const std::string& name, const std::vector<model::Type>& param_types, const model::Type& returns);
  void plan_func(const std::string& name, const std::vector<model::Type>& param_types, const model::Type& returns);
  void build_func(int index);
  // Funcs[index], built first if it was only planned.
  const model::FuncDef& use_func(int index);

  Rng rng_;
  const BuiltinIndex& index_;
  const GeneratorConfig& config_;
  model::Program program_;
  Scopes scopes_;
  std::map<std::string, int> used_names_;
  const std::vector<double>& statement_weights_;  // per statement kind, from the config
  NameSet unread_;  // declared values and arrays nothing has read yet
  bool force_live_ = false;       // leaves may not be literals (live_value)
  struct LeafScratch {             // buffers reused by the draws made most often
    std::vector<const Variable*> vars;
    std::vector<const Variable*> unread;  // pick_var's
    std::vector<const ArrayParam*> loads;
    std::vector<std::pair<const std::string*, const model::Param*>> fields;
    std::vector<double> statement_weights;  // statements()'s draw
  } scratch_;
  model::Block prologue_;
  std::map<std::string, std::string> host_objects_;
  int tiled_block_dim_ = 0;  // launched with wp.launch_tiled at this block dim; 0: wp.launch
  std::vector<ArrayParam> arrays_;
  std::vector<std::string> tid_;
  std::vector<int> launch_dims_;
  int func_limit_ = 0;     // funcs callable from the code being generated
  std::vector<bool> func_built_;  // per func: its body is made (else only planned)
  bool in_kernel_ = false;
  // `while` loops around the statement being made: no early return inside one (its adjoint never
  // returns in Warp 1.19: docs/findings.md, finding 3).
  int while_depth_ = 0;
};

}  // namespace warpsynth::generator

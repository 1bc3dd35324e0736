#include "gen/synth.h"

#include <functional>

#include "model/liveness.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace warpsynth::gen {

using model::Block;
using model::Expr;
using model::ExprKind;
using model::ExprPtr;
using model::Kind;
using model::Scalar;
using model::Stmt;
using model::StmtKind;
using model::Type;

namespace {

const Type kInt = Type::scalar_of(Scalar::kInt32);
const Type kFloat = Type::scalar_of(Scalar::kFloat32);
const Type kBool = Type::scalar_of(Scalar::kBool);

const char* const kFloatLiterals[] = {"0.0", "0.5", "1.0", "2.0", "0.25", "0.1", "1.5", "3.0", "-1.0", "-0.5",
                                      "10.0", "0.01", "0.75", "4.0", "1.0e-3", "0.9", "9.81", "-2.0", "0.2", "5.0"};

// Unit quaternions (x, y, z, w) for quaternion literals.
const char* const kUnitQuats[][4] = {{"0.0", "0.0", "0.0", "1.0"},
                                     {"0.7071068", "0.0", "0.0", "0.7071068"},
                                     {"0.0", "0.7071068", "0.0", "0.7071068"},
                                     {"0.0", "0.0", "0.7071068", "0.7071068"},
                                     {"0.5", "0.5", "0.5", "0.5"}};

// Name pools by kind of value, so the code reads like code a person wrote.
const std::vector<std::string> kScalarNames = {"t", "s", "r", "w", "h", "alpha", "beta", "theta", "phi", "mag",
                                               "dist", "energy", "scale", "weight", "angle", "d2", "val", "acc"};
const std::vector<std::string> kVectorNames = {"d", "n", "u", "dir", "offset", "delta", "axis", "vel", "accel",
                                               "p", "center", "normal", "force", "tangent", "color"};
const std::vector<std::string> kMatrixNames = {"R", "M", "J", "S", "K", "A", "B", "rot_m", "inertia"};
const std::vector<std::string> kQuatNames = {"q", "rot", "qa", "qb", "orient"};
const std::vector<std::string> kTransformNames = {"xform", "tf", "pose", "frame"};
const std::vector<std::string> kIntNames = {"k", "idx", "count", "cell", "bin", "step", "lane", "slot"};
const std::vector<std::string> kBoolNames = {"flag", "inside", "hit", "active", "valid"};
const std::vector<std::string> kSpatialNames = {"twist", "wrench", "sv", "motion"};
const std::vector<std::string> kFieldNames = {"gain", "offset", "scale", "damping", "stiffness", "radius", "dt",
                                              "axis", "center", "frame", "weight", "bias", "threshold", "origin",
                                              "rotation", "count", "mode"};
const std::vector<std::string> kFuncNames = {"falloff", "blend", "apply_gain", "compute_weight", "rotate_point",
                                             "soft_clamp", "energy_term", "project", "smooth", "remap",
                                             "shade", "attenuate", "integrate_step", "penalty"};

bool is_numeric_value(const Type& t) {
  if (t.is_array() || t.kind == Kind::kStruct || t.kind == Kind::kVoid || t.kind == Kind::kOpaque) return false;
  return !(t.is_scalar() && t.is_bool());
}

std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

Synth::Synth(std::uint64_t seed, const BuiltinIndex& index, const GeneratorConfig& config)
    : rng_(seed), index_(index), config_(config) {
  scopes_.emplace_back();
}

// ---------------------------------------------------------------- names and types

std::string Synth::fresh(const std::string& base) {
  int& n = used_names_[base];
  ++n;
  if (n == 1) return base;
  std::string name = base + std::to_string(n);
  if (used_names_.count(name)) return fresh(name);
  used_names_[name] = 1;
  return name;
}

std::string Synth::base_name_for(const Type& t) {
  const std::vector<std::string>* pool = &kScalarNames;
  if (t.is_bool()) pool = &kBoolNames;
  else if (t.is_int()) pool = &kIntNames;
  else if (t.kind == Kind::kVector) pool = &kVectorNames;
  else if (t.kind == Kind::kMatrix) pool = &kMatrixNames;
  else if (t.kind == Kind::kQuat) pool = &kQuatNames;
  else if (t.kind == Kind::kTransform) pool = &kTransformNames;
  else if (t.kind == Kind::kSpatialVector || t.kind == Kind::kSpatialMatrix) pool = &kSpatialNames;
  return rng_.pick(*pool);
}

Type Synth::pick_local_type() {
  return index_.local_types()[rng_.weighted(index_.local_type_weights())];
}

Type Synth::pick_float_type() {
  double r = rng_.unit();
  if (r < 0.85) return kFloat;
  if (r < 0.97) return Type::scalar_of(Scalar::kFloat64);
  return Type::scalar_of(Scalar::kFloat16);
}

Type Synth::pick_numeric_type() {
  for (int attempt = 0; attempt < 8; ++attempt) {
    Type t = pick_local_type();
    if (is_numeric_value(t) && index_.find("add", {t, t})) return t;
  }
  return kFloat;
}

// ---------------------------------------------------------------- kernel layout

void Synth::begin_kernel(const std::string& name, std::vector<int> launch_dims) {
  program_.kernel.name = name;
  launch_dims_ = std::move(launch_dims);
  used_names_[name] = 1;
  in_kernel_ = true;
  func_limit_ = static_cast<int>(program_.funcs.size());
  scopes_.assign(1, {});
}

void Synth::add_param(const std::string& name, const Type& type) {
  program_.kernel.params.push_back({name, type});
  used_names_[name] = std::max(used_names_[name], 1);
  if (!type.is_array()) declare(name, type, false);
}

void Synth::add_array(const std::string& name, const Type& type, bool per_thread, std::vector<int> shape) {
  add_param(name, type);
  if (per_thread) shape = launch_dims_;
  arrays_.push_back({name, type, per_thread, std::move(shape)});
}

void Synth::add_output(const std::string& name, const Type& type, bool per_thread, std::vector<int> shape) {
  add_array(name, type, per_thread, std::move(shape));
  arrays_.back().output = true;
  unread_.erase(name);
}

void Synth::emit_tid(Block& out, std::vector<std::string> names) {
  for (auto& n : names) n = fresh(n);
  Stmt s;
  s.value = model::make_expr(ExprKind::kCall, kInt, "tid");
  if (names.size() == 1) {
    s.kind = StmtKind::kAssign;
    s.declares = true;
    s.name = names[0];
    s.value->signature = *index_.catalog().find("tid", {});
  } else {
    s.kind = StmtKind::kUnpack;
    s.names = names;
  }
  out.push_back(std::move(s));
  for (const auto& n : names) declare(n, kInt, false);
  tid_ = names;
}

int Synth::add_struct_param(const std::string& name) {
  model::StructDef def;
  const char* struct_names[] = {"Params", "SimParams", "Material", "Settings", "Config"};
  def.name = struct_names[rng_.uniform(0, 4)];
  for (const auto& s : program_.structs) {
    if (s.name == def.name) def.name += std::to_string(program_.structs.size());
  }
  int fields = rng_.uniform(2, 5);
  std::vector<std::string> used;
  for (int i = 0; i < fields; ++i) {
    std::string field = rng_.pick(kFieldNames);
    if (std::find(used.begin(), used.end(), field) != used.end()) continue;
    used.push_back(field);
    Type t = i == 0 ? kFloat : pick_local_type();
    def.fields.push_back({field, t});
  }
  program_.structs.push_back(std::move(def));
  int id = static_cast<int>(program_.structs.size()) - 1;
  add_param(name, Type::struct_of(id));
  return id;
}

void Synth::make_func(const std::string& name, const std::vector<Type>& param_types, const Type& returns) {
  model::FuncDef f;
  f.name = name;
  f.returns = returns;
  auto saved_scopes = std::move(scopes_);
  auto saved_names = std::move(used_names_);
  scopes_.assign(1, {});
  used_names_.clear();
  used_names_[name] = 1;
  const char* param_names[] = {"a", "b", "c", "x", "y", "v", "s"};
  for (size_t i = 0; i < param_types.size(); ++i) {
    std::string p = fresh(param_names[(i + rng_.uniform(0, 6)) % 7]);
    f.params.push_back({p, param_types[i]});
    declare(p, param_types[i], false);
  }
  bool was_in_kernel = in_kernel_;
  in_kernel_ = false;
  func_limit_ = static_cast<int>(program_.funcs.size());
  statements(f.body, rng_.uniform(0, 2), config_.max_nesting - 1);
  Stmt ret;
  ret.kind = StmtKind::kReturn;
  // The result reads every parameter: a helper that ignores its inputs computes a constant.
  ret.value = consume(expr(returns, 0), f.body);
  f.body.push_back(std::move(ret));
  in_kernel_ = was_in_kernel;
  scopes_ = std::move(saved_scopes);
  used_names_ = std::move(saved_names);
  used_names_[name] = 1;
  program_.funcs.push_back(std::move(f));
}

int Synth::add_helper_func(const std::vector<Type>& params, const Type& returns) {
  std::string name;
  for (int attempt = 0; attempt < 8 && (name.empty() || used_names_.count(name)); ++attempt) name = rng_.pick(kFuncNames);
  if (used_names_.count(name)) name = fresh(name);
  used_names_[name] = 1;
  make_func(name, params, returns);
  func_limit_ = static_cast<int>(program_.funcs.size());
  return func_limit_ - 1;
}

ExprPtr Synth::family_call(const char* name, const Type& result, std::vector<ExprPtr> args) {
  auto e = model::make_expr(ExprKind::kCall, result, name, -1);
  e->args = std::move(args);
  return e;
}

ExprPtr Synth::keyword(const char* name, ExprPtr value) {
  auto e = model::make_expr(ExprKind::kKeyword, value->type, name);
  e->args.push_back(std::move(value));
  return e;
}

ExprPtr Synth::int_tuple(std::vector<ExprPtr> items) {
  auto e = model::make_expr(ExprKind::kTuple, Type::opaque_of(model::Opaque::kTuple));
  e->args = std::move(items);
  return e;
}

ExprPtr Synth::func_ref(const std::string& text, int func) {
  return model::make_expr(ExprKind::kFuncRef, Type::void_type(), text, func);
}

void Synth::make_funcs() {
  if (!rng_.chance(config_.p_funcs)) return;
  int count = rng_.uniform(1, std::max(1, config_.max_funcs));
  for (int i = 0; i < count; ++i) {
    std::string name = rng_.pick(kFuncNames);
    if (used_names_.count(name)) continue;
    used_names_[name] = 1;
    std::vector<Type> params(rng_.uniform(1, 3));
    for (auto& p : params) {
      do p = pick_local_type(); while (p.is_bool());
    }
    Type returns;
    do returns = pick_local_type(); while (returns.is_bool());
    make_func(name, params, returns);
    if (rng_.chance(config_.p_overload)) {
      // Same name, a first parameter of another kind: Warp picks the overload by argument types.
      std::vector<Type> other = params;
      for (int attempt = 0; attempt < 8 && other[0].kind == params[0].kind; ++attempt) other[0] = pick_local_type();
      if (other[0].kind != params[0].kind && !other[0].is_bool()) {
        make_func(name, other, rng_.chance(0.5) ? returns : pick_numeric_type());
      }
    }
  }
  func_limit_ = static_cast<int>(program_.funcs.size());
}

// ---------------------------------------------------------------- scopes

void Synth::push_scope() { scopes_.emplace_back(); }
void Synth::pop_scope() { scopes_.pop_back(); }

void Synth::declare(const std::string& name, const Type& type, bool assignable) {
  scopes_.back()[name] = {name, type, assignable};
  unread_.insert(name);
}

std::vector<const Variable*> Synth::visible(const Type& type) const {
  std::vector<const Variable*> out;
  for (const auto& scope : scopes_) {
    for (const auto& [name, v] : scope) {
      if (v.type == type) out.push_back(&v);
    }
  }
  return out;
}

std::vector<const Variable*> Synth::assignable_where(bool (*pred)(const Type&)) const {
  std::vector<const Variable*> out;
  for (const auto& scope : scopes_) {
    for (const auto& [name, v] : scope) {
      if (v.assignable && pred(v.type)) out.push_back(&v);
    }
  }
  return out;
}

// ---------------------------------------------------------------- expressions

bool Synth::tid_names(const std::string& name) const { return std::find(tid_.begin(), tid_.end(), name) != tid_.end(); }

const Variable* Synth::find_variable(const std::string& name) const {
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
    auto found = it->find(name);
    if (found != it->end()) return &found->second;
  }
  return nullptr;
}

ExprPtr Synth::var(const std::string& name) {
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
    auto found = it->find(name);
    if (found != it->end()) {
      unread_.erase(name);
      return model::make_var(name, found->second.type);
    }
  }
  if (const ArrayParam* a = array(name)) {
    unread_.erase(name);
    return model::make_var(name, a->type);
  }
  return nullptr;
}

const Variable* Synth::pick_var(const std::vector<const Variable*>& vars) {
  // Values not read yet first: what is computed should be used (dead code is pruned anyway).
  std::vector<const Variable*> unread;
  for (const auto* v : vars) {
    if (unread_.count(v->name)) unread.push_back(v);
  }
  const Variable* v = !unread.empty() && rng_.chance(config_.p_prefer_unread) ? rng_.pick(unread) : rng_.pick(vars);
  unread_.erase(v->name);
  return v;
}

bool Synth::is_constant(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral: return true;
    case ExprKind::kCast:
    case ExprKind::kConstruct:
    case ExprKind::kUnary:
      return std::all_of(e.args.begin(), e.args.end(), [](const ExprPtr& a) { return is_constant(*a); });
    default: return false;
  }
}

ExprPtr Synth::live_value(const Type& want) {
  if (ExprPtr e = nonliteral_leaf(want)) return e;
  // Built from a live value of another type: float(i), wp.vec3(x, 0.0, 0.0), wp.diag(v), ...
  if (want.is_scalar() && !want.is_bool()) {
    if (auto c = component(want, config_.max_expr_depth); c && !is_constant(*c->args[0])) return c;
    auto ints = visible(kInt);
    if (!ints.empty()) {
      ExprPtr i = model::make_var(pick_var(ints)->name, kInt);
      if (want == kInt) return i;
      auto c = model::make_expr(ExprKind::kCast, want);
      c->args.push_back(std::move(i));
      return c;
    }
  }
  Type comp = want.is_scalar() ? want : want.component();
  int n = want.kind == Kind::kVector ? want.rows : want.kind == Kind::kQuat ? 4 : want.kind == Kind::kSpatialVector ? 6 : 0;
  if (n > 0) {
    ExprPtr first = live_value(comp);
    if (!is_constant(*first)) {
      auto c = construct_node(want);
      c->args.push_back(std::move(first));
      for (int i = 1; i < n; ++i) c->args.push_back(literal(comp));
      return c;
    }
  }
  if (want.kind == Kind::kTransform) {
    auto c = construct_node(want);
    c->args.push_back(live_value(Type::vector_of(3, want.scalar)));
    c->args.push_back(literal(Type::quat_of(want.scalar)));
    return c;
  }
  if (want.kind == Kind::kMatrix && want.rows == want.cols) {
    Type diagonal = Type::vector_of(want.rows, want.scalar);
    if (auto sig = index_.find("diag", {diagonal}); sig && index_.catalog()[*sig].returns == want) {
      auto e = model::make_expr(ExprKind::kCall, want, "diag", *sig);
      e->args.push_back(live_value(diagonal));
      return e;
    }
  }
  return literal(want);
}

ExprPtr Synth::int_literal(int value) { return model::make_literal(std::to_string(value), kInt); }

ExprPtr Synth::float_literal(const std::string& text, const Type& type) {
  auto lit = model::make_literal(text, kFloat);
  if (type == kFloat) return lit;
  auto cast = model::make_expr(ExprKind::kCast, type);
  cast->args.push_back(std::move(lit));
  return cast;
}

ExprPtr Synth::scalar_literal(const Type& type, double value) {
  if (model::is_float(type.scalar)) return float_literal(format_double(value), type);
  auto lit = int_literal(static_cast<int>(value));
  if (type == kInt) return lit;
  auto cast = model::make_expr(ExprKind::kCast, type);
  cast->args.push_back(std::move(lit));
  return cast;
}

ExprPtr Synth::literal(const Type& want) {
  if (want.is_bool()) return model::make_literal(rng_.chance(0.5) ? "True" : "False", kBool);
  if (want.is_scalar()) {
    if (model::is_float(want.scalar)) {
      std::string text = rng_.chance(0.7) ? kFloatLiterals[rng_.uniform(0, 19)]
                                          : format_double(rng_.uniform(-500, 500) / 100.0);
      return float_literal(text, want);
    }
    int hi = 16;
    return scalar_literal(want, rng_.uniform(model::is_signed(want.scalar) ? -4 : 0, hi));
  }
  Type component = want.component();
  auto make = [&](int count) {
    auto e = construct_node(want);
    for (int i = 0; i < count; ++i) e->args.push_back(literal(component));
    return e;
  };
  switch (want.kind) {
    case Kind::kVector: return make(rng_.chance(0.3) ? 1 : want.rows);
    case Kind::kSpatialVector: return make(6);
    case Kind::kQuat: {
      auto e = construct_node(want);
      const auto& q = kUnitQuats[rng_.uniform(0, 4)];
      for (int i = 0; i < 4; ++i) e->args.push_back(float_literal(q[i], component));
      return e;
    }
    case Kind::kTransform: {
      auto e = construct_node(want);
      e->args.push_back(literal(Type::vector_of(3, want.scalar)));
      e->args.push_back(literal(Type::quat_of(want.scalar)));
      return e;
    }
    case Kind::kMatrix: {
      Type diagonal = Type::vector_of(want.rows, want.scalar);
      if (want.rows <= 3 && rng_.chance(0.3)) return make(want.rows * want.cols);
      if (auto sig = index_.find("diag", {diagonal}); sig && index_.catalog()[*sig].returns == want) {
        auto e = model::make_expr(ExprKind::kCall, want, "diag", *sig);
        e->args.push_back(live_value(diagonal));  // wp.diag of constants would be a constant
        return e;
      }
      return make(want.rows * want.cols);
    }
    case Kind::kSpatialMatrix: {
      Type sv = Type::spatial_vector_of(want.scalar);
      if (auto sig = index_.find("outer", {sv, sv}); sig && index_.catalog()[*sig].returns == want) {
        auto e = model::make_expr(ExprKind::kCall, want, "outer", *sig);
        e->args.push_back(live_value(sv));
        e->args.push_back(literal(sv));
        return e;
      }
      return make(36);
    }
    default: return nullptr;
  }
}

ExprPtr Synth::plain_literal(const Type& want) {
  if (want.kind != Kind::kMatrix) return literal(want);
  auto e = construct_node(want);  // components, not wp.diag(...) of a value
  for (int i = 0; i < want.rows * want.cols; ++i) e->args.push_back(literal(want.component()));
  return e;
}

ExprPtr Synth::load(const ArrayParam& array) {
  auto e = model::make_expr(ExprKind::kIndex, array.type.element());
  e->args.push_back(model::make_var(array.name, array.type));
  for (const auto& t : tid_) e->args.push_back(model::make_var(t, kInt));
  return e;
}

ExprPtr Synth::load_at(const ArrayParam& array, ExprPtr index) {
  auto e = model::make_expr(ExprKind::kIndex, array.type.element());
  e->args.push_back(model::make_var(array.name, array.type));
  e->args.push_back(std::move(index));
  return e;
}

ExprPtr Synth::shape(const ArrayParam& array, int axis) {
  auto e = model::make_expr(ExprKind::kShape, kInt, "", axis);
  e->args.push_back(model::make_var(array.name, array.type));
  return e;
}

ExprPtr Synth::clamped_index(const ArrayParam& array, ExprPtr index, int axis) {
  std::vector<ExprPtr> args;
  args.push_back(std::move(index));
  args.push_back(int_literal(0));
  args.push_back(call("sub", [&] {
    std::vector<ExprPtr> a;
    a.push_back(shape(array, axis));
    a.push_back(int_literal(1));
    return a;
  }()));
  return call("clamp", std::move(args));
}

const ArrayParam* Synth::array(const std::string& name) const {
  for (const auto& a : arrays_) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

ExprPtr Synth::leaf(const Type& want) {
  if (want.is_bool()) return condition(config_.max_expr_depth);
  if (force_live_) return live_value(want);
  if (ExprPtr e = nonliteral_leaf(want, config_.w_leaf_literal)) return e;
  return literal(want);
}

ExprPtr Synth::nonliteral_leaf(const Type& want, double literal_weight) {
  std::vector<double> weights(5, 0.0);
  auto vars = visible(want);
  std::vector<const ArrayParam*> loads;
  if (in_kernel_ && !tid_.empty()) {
    for (const auto& a : arrays_) {
      if (a.per_thread && !a.output && a.type.element() == want && a.type.array_ndim == tid_.size()) loads.push_back(&a);
    }
  }
  std::vector<std::pair<std::string, const model::Param*>> fields;
  for (const auto& scope : scopes_) {
    for (const auto& [name, v] : scope) {
      if (!v.type.is_struct()) continue;
      for (const auto& f : program_.structs[v.type.struct_id].fields) {
        if (f.type == want) fields.emplace_back(name, &f);
      }
    }
  }
  weights[0] = vars.empty() ? 0 : config_.w_leaf_variable;
  weights[1] = loads.empty() ? 0 : config_.w_leaf_load;
  weights[2] = fields.empty() ? 0 : config_.w_leaf_field;
  weights[3] = literal_weight;  // drawn: the caller writes the literal
  weights[4] = want.is_scalar() ? config_.w_leaf_component : 0;
  switch (rng_.weighted(weights)) {
    case 0: return model::make_var(pick_var(vars)->name, want);
    case 1: {
      std::vector<const ArrayParam*> unread;
      for (const auto* a : loads) {
        if (unread_.count(a->name)) unread.push_back(a);
      }
      const ArrayParam* a = !unread.empty() && rng_.chance(config_.p_prefer_unread) ? rng_.pick(unread) : rng_.pick(loads);
      unread_.erase(a->name);
      return load(*a);
    }
    case 2: {
      const auto& [owner, field] = rng_.pick(fields);
      auto e = model::make_expr(ExprKind::kField, want, field->name);
      e->args.push_back(var(owner));
      return e;
    }
    case 4:
      if (auto c = component(want, config_.max_expr_depth)) return c;
      return nullptr;
    default: return nullptr;  // a literal, or nothing live of this type in scope
  }
}

ExprPtr Synth::call(const std::string& key, std::vector<ExprPtr> args, bool allow_operator) {
  std::vector<Type> types;
  for (const auto& a : args) types.push_back(a->type);
  auto sig = index_.catalog().find(key, types);
  if (!sig) return nullptr;
  return apply(*sig, std::move(args), allow_operator);
}

ExprPtr Synth::apply(int signature, std::vector<ExprPtr> args, bool allow_operator) {
  const auto& sig = index_.catalog()[signature];
  std::string binary = BuiltinIndex::binary_operator(sig.key);
  std::string unary = BuiltinIndex::unary_operator(sig.key);
  ExprPtr e;
  if (allow_operator && !binary.empty() && args.size() == 2 && rng_.chance(config_.p_operator_form)) {
    e = model::make_expr(ExprKind::kBinary, sig.returns, binary, signature);
  } else if (allow_operator && !unary.empty() && args.size() == 1 && rng_.chance(config_.p_operator_form)) {
    e = model::make_expr(ExprKind::kUnary, sig.returns, unary, signature);
  } else {
    e = model::make_expr(ExprKind::kCall, sig.returns, sig.key, signature);
  }
  e->args = std::move(args);
  return e;
}

ExprPtr Synth::construct_node(const Type& t) {
  return model::make_expr(ExprKind::kConstruct, t);
}

ExprPtr Synth::one(const Type& type) {
  if (type.is_scalar()) return scalar_literal(type, 1.0);
  auto e = construct_node(type);
  e->args.push_back(scalar_literal(type.component(), 1.0));
  return e;
}

ExprPtr Synth::clamp_to(ExprPtr x, double low, double high) {
  Type t = x->type;
  if (!t.is_scalar()) return x;
  std::vector<ExprPtr> args;
  args.push_back(std::move(x));
  args.push_back(scalar_literal(t, low));
  args.push_back(scalar_literal(t, high));
  return call("clamp", std::move(args));
}

ExprPtr Synth::random_state(int /*depth*/) {
  // Per-thread random state as real code makes it: `state = wp.rand_init(seed, tid)` once at the
  // top of the kernel, `seed` an argument, so each launch and each thread draws other numbers.
  const Type state_type = Type::scalar_of(Scalar::kUInt32);
  auto states = visible(state_type);
  for (const auto* v : states) {
    if (v->name.rfind("state", 0) == 0 || v->name.rfind("rng", 0) == 0) return var(v->name);
  }
  if (!in_kernel_ || tid_.empty()) return literal(state_type);
  std::string seed;
  for (const auto& p : program_.kernel.params) {
    if (p.type == kInt && (p.name == "seed" || p.name.rfind("seed", 0) == 0)) seed = p.name;
  }
  if (seed.empty()) {
    seed = fresh("seed");
    program_.kernel.params.push_back({seed, kInt});
  }
  std::vector<ExprPtr> args;
  args.push_back(model::make_var(seed, kInt));
  args.push_back(model::make_var(tid_[0], kInt));
  std::string name = fresh("state");
  Stmt init;
  init.kind = StmtKind::kAssign;
  init.declares = true;
  init.name = name;
  init.value = call("rand_init", std::move(args), false);
  prologue_.push_back(std::move(init));
  scopes_.front()[name] = {name, state_type, false};
  return model::make_var(name, state_type);
}

void Synth::insert_prologue(Block& body) {
  if (prologue_.empty()) return;
  // after the thread index, which the prologue reads
  size_t at = 0;
  while (at < body.size() && !(body[at].value && body[at].value->text == "tid")) ++at;
  at = at < body.size() ? at + 1 : 0;
  body.insert(body.begin() + long(at), std::make_move_iterator(prologue_.begin()), std::make_move_iterator(prologue_.end()));
  prologue_.clear();
}

ExprPtr Synth::guarded(const std::string& key, int arg, const model::Param& param, int depth) {
  const Type& type = param.type;
  Guard g = index_.guard(key, arg, param.name, type);
  auto positive_literal = [&] {
    if (type.is_scalar()) return scalar_literal(type, rng_.uniform(1, 8));
    auto e = construct_node(type);
    e->args.push_back(scalar_literal(type.component(), rng_.uniform(1, 8)));
    return e;
  };
  // The value a guard wraps is live: wp.sqrt(wp.abs(3.0)) is a constant.
  auto inner = [&] {
    ExprPtr e = expr(type, depth + 1);
    return is_constant(*e) ? live_value(type) : std::move(e);
  };
  switch (g) {
    case Guard::kNone: return expr(type, depth + 1);
    case Guard::kRandomState: return random_state(depth);
    case Guard::kSmallLiteral: return positive_literal();
    case Guard::kShiftAmount:
      if (type.is_scalar()) return scalar_literal(type, rng_.uniform(0, 7));
      return positive_literal();
    case Guard::kNormalized: {
      std::vector<ExprPtr> a;
      a.push_back(inner());
      if (auto e = call("normalize", std::move(a))) return e;
      return literal(type);
    }
    case Guard::kNonNegative:
    case Guard::kPositive: {
      if (!model::is_float(type.scalar)) return positive_literal();
      std::vector<ExprPtr> a;
      a.push_back(inner());
      auto abs = call("abs", std::move(a));
      if (!abs) return positive_literal();
      if (g == Guard::kNonNegative) return abs;
      std::vector<ExprPtr> sum;
      sum.push_back(std::move(abs));
      sum.push_back(one(type));
      if (auto e = call("add", std::move(sum))) return e;
      return positive_literal();
    }
    case Guard::kUnit: return clamp_to(inner(), -1.0, 1.0);
    case Guard::kOpenUnit: return clamp_to(inner(), -0.99, 0.99);
    case Guard::kOpenTwo: return clamp_to(inner(), 0.01, 1.99);
    case Guard::kBounded: return clamp_to(inner(), type.is_int() ? 0 : -8.0, 8.0);
  }
  return expr(type, depth + 1);
}

int Synth::pick_overload(const KeyOverloads& key) {
  // Uniform over keys (for coverage), then overloads in proportion to how common their argument
  // types are: wp.length(vec3) far more often than wp.length(vec4h).
  return key.signatures[rng_.weighted(key.weights)];
}

ExprPtr Synth::builtin(int signature, int depth, bool allow_operator) {
  const auto& sig = index_.catalog()[signature];
  std::vector<ExprPtr> args;
  for (size_t i = 0; i < sig.args.size(); ++i) {
    if (!in_kernel_ && index_.guard(sig.key, int(i), sig.args[i].name, sig.args[i].type) == Guard::kRandomState) {
      return live_value(sig.returns);  // random state is made once per thread, from a seed argument
    }
    args.push_back(guarded(sig.key, int(i), sig.args[i], depth));
  }
  // The condition of wp.where is data, never a constant.
  if ((sig.key == "where" || sig.key == "select") && !args.empty() && is_constant(*args[0])) args[0] = live_value(args[0]->type);
  // A computing builtin takes at least one live value: wp.sin(2.0) is a constant, not code.
  bool all_constant = !args.empty() && std::all_of(args.begin(), args.end(), [](const ExprPtr& a) { return is_constant(*a); });
  if (all_constant) {
    std::vector<size_t> open;
    for (size_t i = 0; i < args.size(); ++i) {
      Guard g = index_.guard(sig.key, int(i), sig.args[i].name, sig.args[i].type);
      if (g != Guard::kSmallLiteral && g != Guard::kShiftAmount && g != Guard::kRandomState) open.push_back(i);
    }
    if (!open.empty()) {
      size_t k = rng_.pick(open);
      bool saved = force_live_;
      force_live_ = true;
      args[k] = guarded(sig.key, int(k), sig.args[k], config_.max_expr_depth);
      force_live_ = saved;
    }
  }
  avoid_trivial(sig.key, args);
  return apply(signature, std::move(args), allow_operator);
}

void Synth::avoid_trivial(const std::string& key, std::vector<ExprPtr>& args) {
  // a - a, a / a, a % a, a ^ a, wp.where(c, a, a): the result does not depend on a.
  size_t x = 0, y = 1;
  if (key == "where" || key == "select") x = 1, y = 2;
  else if (key != "sub" && key != "div" && key != "mod" && key != "bit_xor" && key != "floordiv" && key != "div_approx")
    return;
  if (args.size() <= y) return;
  for (int attempt = 0; attempt < 3 && model::same_expr(*args[x], *args[y]); ++attempt) args[y] = live_value(args[y]->type);
  if (model::same_expr(*args[x], *args[y])) args[y] = plain_literal(args[y]->type);
}

ExprPtr Synth::component(const Type& want, int depth) {
  // A vector or matrix variable with this component type, or a small vector made on the spot.
  std::vector<const Variable*> sources;
  for (const auto& scope : scopes_) {
    for (const auto& [name, v] : scope) {
      if ((v.type.is_vector_like() || v.type.is_matrix_like()) && v.type.component() == want) sources.push_back(&v);
    }
  }
  ExprPtr base;
  if (!sources.empty() && rng_.chance(0.75)) {
    const Variable* v = rng_.pick(sources);
    base = model::make_var(v->name, v->type);
  } else if (depth < config_.max_expr_depth && want.scalar != Scalar::kBool) {
    // A component of a computed vector (wp.cross(a, b)[0]); never of a literal vector.
    const auto& producers = index_.producing(Type::vector_of(rng_.uniform(2, 4), want.scalar));
    if (producers.empty()) return nullptr;
    base = builtin(pick_overload(rng_.pick(producers)), depth + 1);
  } else {
    return nullptr;
  }
  auto e = model::make_expr(ExprKind::kComponent, want);
  const Type& t = base->type;
  e->args.push_back(std::move(base));
  if (t.is_matrix_like()) {
    e->args.push_back(int_literal(rng_.uniform(0, t.rows - 1)));
    e->args.push_back(int_literal(rng_.uniform(0, t.cols - 1)));
  } else {
    e->args.push_back(int_literal(rng_.uniform(0, t.length() - 1)));
  }
  return e;
}

ExprPtr Synth::cast(const Type& want, int depth) {
  Type from;
  if (model::is_float(want.scalar)) {
    from = rng_.chance(0.5) ? kInt : pick_float_type();
  } else {
    from = rng_.chance(0.6) ? kInt : Type::scalar_of(Scalar::kInt64);
  }
  if (from == want) from = model::is_float(want.scalar) ? kInt : Type::scalar_of(Scalar::kInt64);
  auto e = model::make_expr(ExprKind::kCast, want);
  e->args.push_back(expr(from, depth + 1));
  return e;
}

ExprPtr Synth::func_call(const Type& want, int depth) {
  std::vector<int> candidates;
  for (int i = 0; i < func_limit_; ++i) {
    if (program_.funcs[i].returns == want) candidates.push_back(i);
  }
  if (candidates.empty()) return nullptr;
  int f = rng_.pick(candidates);
  auto e = model::make_expr(ExprKind::kFuncCall, want, program_.funcs[f].name, f);
  for (const auto& p : program_.funcs[f].params) e->args.push_back(expr(p.type, depth + 1));
  if (!e->args.empty() && std::all_of(e->args.begin(), e->args.end(), [](const ExprPtr& a) { return is_constant(*a); })) {
    size_t k = size_t(rng_.uniform(0, int(e->args.size()) - 1));
    e->args[k] = live_value(e->args[k]->type);  // a helper called on constants computes a constant
  }
  return e;
}

ExprPtr Synth::construct(const Type& want, int depth) {
  if (want.kind == Kind::kVector || want.kind == Kind::kQuat || want.kind == Kind::kSpatialVector) {
    auto e = construct_node(want);
    int n = want.kind == Kind::kVector ? want.rows : want.kind == Kind::kQuat ? 4 : 6;
    for (int i = 0; i < n; ++i) e->args.push_back(expr(want.component(), depth + 1));
    return e;
  }
  if (want.kind == Kind::kTransform) {
    auto e = construct_node(want);
    e->args.push_back(expr(Type::vector_of(3, want.scalar), depth + 1));
    e->args.push_back(expr(Type::quat_of(want.scalar), depth + 1));
    return e;
  }
  return literal(want);
}

ExprPtr Synth::compare(int depth) {
  Type t = rng_.chance(0.6) ? kFloat : rng_.chance(0.75) ? kInt : pick_float_type();
  static const char* const kOps[] = {"<", "<=", ">", ">=", "==", "!="};
  int op = model::is_float(t.scalar) ? rng_.uniform(0, 3) : rng_.uniform(0, 5);
  auto e = model::make_expr(ExprKind::kCompare, kBool, kOps[op]);
  // The left side is computed (a literal there reads as a mistake), the right side differs.
  // The left side is a live value (a condition on constants is decided before the kernel runs).
  ExprPtr lhs = expr(t, depth + 1);
  for (int attempt = 0; attempt < 3 && is_constant(*lhs); ++attempt) lhs = expr(t, depth + 1);
  if (is_constant(*lhs)) lhs = live_value(t);
  ExprPtr rhs = rng_.chance(config_.p_compare_literal) ? literal(t) : expr(t, depth + 1);
  if (model::same_expr(*rhs, *lhs)) rhs = literal(t);
  e->args.push_back(std::move(lhs));
  e->args.push_back(std::move(rhs));
  return e;
}

ExprPtr Synth::condition(int depth) {
  double r = rng_.unit();
  if (depth < config_.max_expr_depth) {
    if (r < 0.12) {
      auto e = model::make_expr(ExprKind::kBoolOp, kBool, rng_.chance(0.5) ? "and" : "or");
      e->args.push_back(compare(depth + 1));
      e->args.push_back(compare(depth + 1));
      return e;
    }
    if (r < 0.16) {
      auto e = model::make_expr(ExprKind::kNot, kBool);
      e->args.push_back(compare(depth + 1));
      return e;
    }
    if (r < 0.22) {
      const auto& producers = index_.producing(kBool);
      if (!producers.empty()) return builtin(pick_overload(rng_.pick(producers)), depth);
    }
    if (r < 0.28) {
      auto vars = visible(kBool);
      if (!vars.empty()) return model::make_var(rng_.pick(vars)->name, kBool);
    }
  }
  return compare(std::min(depth, config_.max_expr_depth - 1));
}

ExprPtr Synth::expr(const Type& want, int depth) {
  if (want.is_bool()) return condition(depth);
  if (depth >= config_.max_expr_depth || want.is_struct() || rng_.chance(config_.p_leaf)) return leaf(want);
  if (rng_.chance(config_.p_func_call)) {
    if (auto e = func_call(want, depth)) return e;
  }
  if (rng_.chance(config_.p_ternary)) {
    auto e = model::make_expr(ExprKind::kTernary, want);
    e->args.push_back(condition(depth + 1));
    e->args.push_back(expr(want, depth + 1));
    e->args.push_back(expr(want, depth + 1));
    for (int attempt = 0; attempt < 3 && model::same_expr(*e->args[1], *e->args[2]); ++attempt) {
      e->args[2] = expr(want, depth + 1);  // two equal branches read as a mistake
    }
    if (model::same_expr(*e->args[1], *e->args[2])) return std::move(e->args[1]);
    return e;
  }
  if (want.is_scalar() && rng_.chance(config_.p_component)) {
    if (auto e = component(want, depth)) return e;
  }
  if (want.is_scalar() && rng_.chance(config_.p_cast)) return cast(want, depth);
  const auto& producers = index_.producing(want);
  if (producers.empty() || (!want.is_scalar() && rng_.chance(0.08))) return construct(want, depth);
  return builtin(pick_overload(producers[size_t(rng_.weighted(index_.producing_weights(want)))]), depth);
}

// ---------------------------------------------------------------- statements

ExprPtr Synth::mutable_value(ExprPtr value) {
  // Warp treats `x = 1.0` as a compile-time constant that a dynamic loop may not change;
  // `x = float(1.0)` declares a variable, which is what generated code needs.
  if (value->kind != ExprKind::kLiteral || value->type.is_bool()) return value;
  auto wrapped = model::make_expr(ExprKind::kCast, value->type);
  wrapped->args.push_back(std::move(value));
  return wrapped;
}

std::string Synth::local(Block& out, const std::string& base, ExprPtr value, bool assignable) {
  if (!value) throw std::logic_error("generator bug: no catalog overload for the value of local '" + base + "'");
  std::string name = fresh(base);
  value = mutable_value(std::move(value));
  Type t = value->type;
  Stmt s;
  s.kind = StmtKind::kAssign;
  s.declares = true;
  s.name = name;
  s.value = std::move(value);
  out.push_back(std::move(s));
  declare(name, t, assignable);
  return name;
}

ExprPtr Synth::convert(ExprPtr value, const Type& want) {
  const Type from = value->type;
  if (from == want) return value;
  auto cast = [](ExprPtr v, const Type& to) {
    auto c = model::make_expr(ExprKind::kCast, to);
    c->args.push_back(std::move(v));
    return c;
  };
  if (want.is_scalar() && model::is_float(want.scalar)) {
    if (from.is_scalar()) return from.is_bool() ? nullptr : cast(std::move(value), want);
    ExprPtr scalar;
    if (from.kind == Kind::kVector && model::is_float(from.scalar)) {
      std::vector<ExprPtr> a;
      a.push_back(std::move(value));
      scalar = call(rng_.chance(0.5) ? "length" : "length_sq", std::move(a), false);
    } else if (from.is_vector_like() || from.is_matrix_like()) {
      auto c = model::make_expr(ExprKind::kComponent, from.component());
      c->args.push_back(std::move(value));
      if (from.is_matrix_like()) {
        c->args.push_back(int_literal(rng_.uniform(0, from.rows - 1)));
        c->args.push_back(int_literal(rng_.uniform(0, from.cols - 1)));
      } else {
        c->args.push_back(int_literal(rng_.uniform(0, from.length() - 1)));
      }
      scalar = std::move(c);
    }
    if (!scalar || scalar->type.is_bool()) return nullptr;
    return scalar->type == want ? std::move(scalar) : convert(std::move(scalar), want);
  }
  if (want.is_scalar() && model::is_integer(want.scalar) && !want.is_bool()) {
    if (from.is_scalar() && !from.is_bool()) return cast(std::move(value), want);
    if (from.is_vector_like() && !from.is_bool()) {
      auto c = model::make_expr(ExprKind::kComponent, from.component());
      c->args.push_back(std::move(value));
      c->args.push_back(int_literal(rng_.uniform(0, from.length() - 1)));
      return convert(std::move(c), want);
    }
    return nullptr;
  }
  if (want.kind == Kind::kVector) {
    ExprPtr scalar = convert(std::move(value), Type::scalar_of(want.scalar));
    if (!scalar) return nullptr;
    auto splat = construct_node(Type::vector_of(want.rows, want.scalar));  // wp.vec3(s)
    splat->args.push_back(std::move(scalar));
    return splat;
  }
  return nullptr;
}

ExprPtr Synth::consume(ExprPtr value, const Block& body, bool inputs_too) {
  // Every value the kernel computed that would reach no output joins the result (ldrgen's idea:
  // code is there for its output), brought to the result's type. Which ones: the liveness of the
  // body so far, with the result's own reads live at its end; and arrays and parameters nothing
  // reads.
  const Type t = value->type;
  if (!is_numeric_value(t) || t.kind == Kind::kTransform) return value;
  // Matrices and quaternions take other values as a scale factor; the rest by + (or * for scalars).
  const bool scales = t.kind == Kind::kQuat || t.is_matrix_like();
  std::vector<std::string> reads_now;
  model::names_read(*value, reads_now);
  std::set<std::string> read_anywhere(reads_now.begin(), reads_now.end());
  std::vector<std::string> locals;
  for (const auto& scope : scopes_) {
    for (const auto& [name, v] : scope) {
      if (!v.type.is_array() && !v.type.is_struct()) locals.push_back(name);
    }
  }
  model::Liveness live = model::analyze_liveness(body, locals, in_kernel_);
  std::function<void(const Block&)> collect_reads = [&](const Block& b) {
    for (const auto& st : b) {
      if (live.dead.count(&st) || live.useless_loops.count(&st)) continue;
      std::vector<std::string> r;
      for (const model::Expr* e : {st.target.get(), st.value.get()}) {
        if (e) model::names_read(*e, r);
      }
      for (const auto& x : st.range) model::names_read(*x, r);
      for (const auto& e : st.elifs) model::names_read(*e.condition, r);
      if (st.kind == StmtKind::kAugAssign) r.push_back(st.name);
      read_anywhere.insert(r.begin(), r.end());
      collect_reads(st.body);
      for (const auto& e : st.elifs) collect_reads(e.body);
      collect_reads(st.orelse);
    }
  };
  collect_reads(body);
  std::vector<std::pair<std::string, Type>> pending;
  std::set<std::string> seen;
  for (const auto& st : body) {  // top-level definitions whose value reaches nothing
    bool dead = live.dead.count(&st) > 0;
    if (st.kind == StmtKind::kAssign && st.declares && dead && !read_anywhere.count(st.name) && seen.insert(st.name).second) {
      if (const Variable* v = find_variable(st.name)) pending.emplace_back(st.name, v->type);
    }
  }
  for (const auto& scope : scopes_) {  // parameters and struct parameters nothing reads
    if (!inputs_too) break;
    for (const auto& [name, v] : scope) {
      if (!v.assignable && !read_anywhere.count(name) && !seen.count(name) && !tid_names(name) &&
          !host_objects_.count(name)) {  // a mesh or volume id is a handle, not a number
        pending.emplace_back(name, v.type);
        seen.insert(name);
      }
    }
  }
  for (const auto& a : arrays_) {
    if (inputs_too && in_kernel_ && !read_anywhere.count(a.name) && a.per_thread && !a.output && a.type.array_ndim == tid_.size()) pending.emplace_back(a.name, a.type);
  }
  int taken = 0;
  for (const auto& [name, type] : pending) {
    if (taken >= config_.max_consumed) break;
    ExprPtr term;
    if (type.is_array()) {
      term = load(*array(name));
    } else if (type.is_struct()) {
      // a field of the parameter struct that converts to the result
      for (const auto& f : program_.structs[size_t(type.struct_id)].fields) {
        if (f.type.is_bool() || f.type.kind == Kind::kTransform || f.type.kind == Kind::kQuat) continue;
        term = model::make_expr(ExprKind::kField, f.type, f.name);
        term->args.push_back(model::make_var(name, type));
        break;
      }
      if (!term) continue;
    } else {
      term = var(name);
    }
    unread_.erase(name);
    term = convert(std::move(term), scales ? Type::scalar_of(t.scalar) : t);
    if (!term) continue;
    std::vector<ExprPtr> args;
    args.push_back(std::move(value));
    args.push_back(std::move(term));
    bool multiply = scales || (model::is_float(t.scalar) && t.is_scalar() && rng_.chance(config_.p_consume_multiply));
    ExprPtr combined = call(multiply ? "mul" : "add", std::move(args));
    if (!combined) break;
    value = std::move(combined);
    ++taken;
  }
  return value;
}

void Synth::store_consuming(Block& out, ExprPtr target, ExprPtr value) {
  if (is_constant(*value)) value = live_value(value->type);  // an output is computed, not a constant
  value = consume(std::move(value), out);
  // out[i] = x[i] copies: the value a kernel stores is computed from what it reads.
  for (int attempt = 0; attempt < 3 && is_leaf_like(*value); ++attempt) {
    const Type t = value->type;
    std::vector<std::string> keys;
    if (is_numeric_value(t) && t.kind != Kind::kQuat && t.kind != Kind::kTransform) keys = {"add", "sub", "mul"};
    else if (t.kind == Kind::kQuat || t.kind == Kind::kTransform) keys = {"mul"};
    if (keys.empty()) break;
    std::vector<ExprPtr> args;
    args.push_back(std::move(value));
    args.push_back(expr(t, 1));
    const std::string& key = rng_.pick(keys);
    std::vector<Type> types = {args[0]->type, args[1]->type};
    if (key == "mul" && t.is_vector_like() && t.kind != Kind::kQuat && t.kind != Kind::kTransform) {
      args[1] = live_value(Type::scalar_of(t.scalar));  // a vector is scaled
    }
    avoid_trivial(key, args);
    Type first = args[0]->type;
    ExprPtr combined = call(key, std::move(args));
    if (!combined) {
      value = live_value(first);
      break;
    }
    value = std::move(combined);
  }
  store(out, std::move(target), std::move(value));
}

bool Synth::is_leaf_like(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kVar:
    case ExprKind::kIndex:
    case ExprKind::kField:
    case ExprKind::kLiteral:
    case ExprKind::kComponent: return true;
    case ExprKind::kCast:
    case ExprKind::kConstruct:
    case ExprKind::kUnary:
      return std::all_of(e.args.begin(), e.args.end(), [](const ExprPtr& a) { return is_leaf_like(*a); });
    default: return false;
  }
}

void Synth::store(Block& out, ExprPtr target, ExprPtr value) {
  if (!target || !value) throw std::logic_error("generator bug: no catalog overload for a stored value");
  Stmt s;
  s.kind = StmtKind::kStore;
  s.target = std::move(target);
  s.value = std::move(value);
  out.push_back(std::move(s));
}

Stmt Synth::if_stmt(ExprPtr condition, Block body) {
  Stmt s;
  s.kind = StmtKind::kIf;
  s.value = std::move(condition);
  s.body = std::move(body);
  return s;
}

void Synth::atomic(Block& out, const ArrayParam& array, ExprPtr index, ExprPtr value, const std::string& key) {
  auto target = model::make_expr(ExprKind::kIndex, array.type.element());
  target->args.push_back(model::make_var(array.name, array.type));
  target->args.push_back(std::move(index));
  Stmt s;
  if (key == "atomic_add" && rng_.chance(0.3)) {
    s.kind = StmtKind::kAugStore;  // `a[i] += v` is an atomic add in Warp
    s.op = "+=";
    s.target = std::move(target);
    s.value = std::move(value);
  } else {
    auto call = model::make_expr(ExprKind::kCall, array.type.element(), key);
    call->args = std::move(target->args);
    call->args.push_back(std::move(value));
    s.kind = StmtKind::kExpr;
    s.value = std::move(call);
  }
  out.push_back(std::move(s));
}

model::Stmt Synth::loop_exit(bool allow_continue) {
  bool is_continue = allow_continue && rng_.chance(0.4);
  Block inner;
  Stmt s;
  s.kind = is_continue ? StmtKind::kContinue : StmtKind::kBreak;
  inner.push_back(std::move(s));
  return if_stmt(condition(1), std::move(inner));
}

void Synth::loop_body(Block& body, int nesting, bool allow_continue) {
  // An early exit goes first or last, its condition made where it stands, so it only reads
  // variables declared above it.
  double r = rng_.unit();
  if (r < 0.18) body.push_back(loop_exit(allow_continue));
  statements(body, rng_.uniform(1, 3), nesting + 1);
  if (r >= 0.18 && r < 0.36) body.push_back(loop_exit(allow_continue));
}

void Synth::for_loop(Block& out, int nesting) {
  Stmt s;
  s.kind = StmtKind::kFor;
  int trip = rng_.uniform(1, config_.max_loop_trip);
  double r = rng_.unit();
  if (r < 0.35) {
    s.range.push_back(int_literal(trip));
  } else if (r < 0.6) {
    int start = rng_.uniform(0, 4);
    s.range.push_back(int_literal(start));
    s.range.push_back(int_literal(start + trip));
  } else if (r < 0.8) {
    int step = rng_.chance(0.5) ? -1 : rng_.uniform(2, 3);
    int start = step < 0 ? trip : 0;
    int stop = step < 0 ? 0 : trip * step;
    s.range.push_back(int_literal(start));
    s.range.push_back(int_literal(stop));
    s.range.push_back(int_literal(step));
  } else {
    // Dynamic bounds: a window starting at a thread index or an int local, always `trip` long.
    auto ints = visible(kInt);
    ExprPtr start = ints.empty() ? int_literal(0) : model::make_var(rng_.pick(ints)->name, kInt);
    std::vector<ExprPtr> sum;
    sum.push_back(model::clone(*start));
    sum.push_back(int_literal(trip));
    s.range.push_back(std::move(start));
    s.range.push_back(call("add", std::move(sum)));
  }
  s.name = fresh(rng_.pick(std::vector<std::string>{"j", "k", "m", "it", "n"}));
  push_scope();
  declare(s.name, kInt, false);
  loop_body(s.body, nesting, true);
  pop_scope();
  out.push_back(std::move(s));
}

void Synth::while_loop(Block& out, int nesting) {
  std::string counter = local(out, "count", model::make_literal("0", kInt), false);
  Stmt s;
  s.kind = StmtKind::kWhile;
  auto cond = model::make_expr(ExprKind::kCompare, kBool, "<");
  cond->args.push_back(model::make_var(counter, kInt));
  cond->args.push_back(int_literal(rng_.uniform(1, config_.max_loop_trip)));
  s.value = std::move(cond);
  push_scope();
  loop_body(s.body, nesting, false);  // no `continue`: it would skip the counter's increment
  pop_scope();
  Stmt inc;
  inc.kind = StmtKind::kAugAssign;
  inc.name = counter;
  inc.op = "+=";
  inc.value = int_literal(1);
  s.body.push_back(std::move(inc));
  out.push_back(std::move(s));
}

void Synth::statements(Block& out, int count, int nesting) {
  static const char* const kKinds[] = {"local", "aug_assign", "reassign", "component_store", "if", "for",
                                       "while", "atomic", "early_return", "func_call", "unpack", "in_place"};
  constexpr int kKindCount = 12;
  for (int n = 0; n < count; ++n) {
    std::vector<double> weights(kKindCount, 0.0);
    for (int k = 0; k < kKindCount; ++k) {
      auto it = config_.statements.find(kKinds[k]);
      weights[k] = it == config_.statements.end() ? 0.0 : it->second;
    }
    auto numeric = assignable_where([](const Type& t) { return is_numeric_value(t); });
    auto vectors = assignable_where([](const Type& t) { return t.kind == Kind::kVector && !t.is_array(); });
    std::vector<const ArrayParam*> accumulators;
    for (const auto& a : arrays_) {
      Type e = a.type.element();
      if (a.type.array_ndim == 1 && !a.per_thread && (e.is_int() || e == kFloat || e == Type::vector_of(3, Scalar::kFloat32))) {
        accumulators.push_back(&a);
      }
    }
    if (numeric.empty()) weights[1] = weights[2] = 0;
    if (vectors.empty()) weights[3] = 0;
    if (nesting >= config_.max_nesting) weights[4] = weights[5] = weights[6] = 0;
    if (accumulators.empty() || !in_kernel_) weights[7] = 0;
    if (!in_kernel_) weights[8] = 0;
    if (func_limit_ == 0) weights[9] = 0;
    if (index_.multi_result().empty()) weights[10] = 0;
    // An in-place builtin needs a local of its first argument's type to update.
    std::vector<std::pair<const KeyOverloads*, const Variable*>> in_place;
    for (const auto& key : index_.in_place()) {
      for (int sig : key.signatures) {
        for (const Variable* v : assignable_where([](const Type& t) { return !t.is_array(); })) {
          if (v->type == index_.catalog()[sig].args[0].type) in_place.emplace_back(&key, v);
        }
      }
    }
    if (in_place.empty()) weights[11] = 0;

    switch (rng_.weighted(weights)) {
      case 0: {
        Type t = pick_local_type();
        local(out, base_name_for(t), expr(t, 0));
        break;
      }
      case 1: {
        const Variable* v = rng_.pick(numeric);
        Type t = v->type;
        std::vector<std::pair<std::string, std::string>> ops = {{"+=", "add"}, {"-=", "sub"}};
        if (model::is_float(t.scalar) && (t.is_scalar() || t.kind == Kind::kMatrix || t.kind == Kind::kQuat)) {
          ops.push_back({"*=", "mul"});
        }
        auto [op, key] = rng_.pick(ops);
        if (!index_.find(key, {t, t})) break;
        Stmt s;
        s.kind = StmtKind::kAugAssign;
        s.name = v->name;
        s.op = op;
        s.value = t.is_int() ? (rng_.chance(0.5) ? literal(t) : leaf(t)) : expr(t, 1);
        // x += x doubles x, x -= x zeroes it: an update reads another value
        for (int attempt = 0; attempt < 3 && s.value->kind == ExprKind::kVar && s.value->text == v->name; ++attempt)
          s.value = live_value(t);
        if (s.value->kind == ExprKind::kVar && s.value->text == v->name) break;
        out.push_back(std::move(s));
        break;
      }
      case 2: {
        const Variable* v = rng_.pick(numeric);
        Stmt s;
        s.kind = StmtKind::kAssign;
        s.name = v->name;
        s.value = mutable_value(expr(v->type, 0));
        if (s.value->kind == ExprKind::kVar && s.value->text == v->name) break;  // x = x
        out.push_back(std::move(s));
        break;
      }
      case 3: {
        const Variable* v = rng_.pick(vectors);
        auto target = model::make_expr(ExprKind::kComponent, v->type.component());
        target->args.push_back(model::make_var(v->name, v->type));
        target->args.push_back(int_literal(rng_.uniform(0, v->type.length() - 1)));
        store(out, std::move(target), expr(v->type.component(), 1));
        break;
      }
      case 4: {
        push_scope();
        Block body;
        statements(body, rng_.uniform(1, 2), nesting + 1);
        pop_scope();
        Stmt s = if_stmt(condition(1), std::move(body));
        if (rng_.chance(0.3)) {
          push_scope();
          model::Elif e;
          e.condition = condition(1);
          statements(e.body, 1, nesting + 1);
          pop_scope();
          s.elifs.push_back(std::move(e));
        }
        if (rng_.chance(0.5)) {
          push_scope();
          statements(s.orelse, rng_.uniform(1, 2), nesting + 1);
          pop_scope();
        }
        out.push_back(std::move(s));
        break;
      }
      case 5: for_loop(out, nesting); break;
      case 6: while_loop(out, nesting); break;
      case 7: {
        const ArrayParam* a = rng_.pick(accumulators);
        Type e = a->type.element();
        auto index = clamped_index(*a, expr(kInt, 1));
        std::vector<std::string> keys = {"atomic_add", "atomic_add", "atomic_sub"};
        if (e.is_scalar()) keys.insert(keys.end(), {"atomic_min", "atomic_max", "atomic_exch"});
        if (e.is_int()) keys.insert(keys.end(), {"atomic_and", "atomic_or", "atomic_xor", "atomic_cas"});
        std::string key = rng_.pick(keys);
        if (key == "atomic_cas") {
          // atomic_cas(arr, i, compare, value): swap in `value` where the slot holds `compare`.
          auto call = model::make_expr(ExprKind::kCall, e, key);
          call->args.push_back(model::make_var(a->name, a->type));
          call->args.push_back(std::move(index));
          call->args.push_back(literal(e));
          call->args.push_back(expr(e, 1));
          Stmt st;
          st.kind = StmtKind::kExpr;
          st.value = std::move(call);
          out.push_back(std::move(st));
        } else {
          atomic(out, *a, std::move(index), expr(e, 1), key);
        }
        break;
      }
      case 8: {
        Block inner;
        Stmt r;
        r.kind = StmtKind::kReturn;
        inner.push_back(std::move(r));
        out.push_back(if_stmt(condition(1), std::move(inner)));
        break;
      }
      case 9: {
        int f = rng_.uniform(0, func_limit_ - 1);
        const auto& fd = program_.funcs[f];
        auto call = model::make_expr(ExprKind::kFuncCall, fd.returns, fd.name, f);
        for (const auto& p : fd.params) call->args.push_back(expr(p.type, 1));
        local(out, base_name_for(fd.returns), std::move(call));
        break;
      }
      case 10: {
        // axis, angle = wp.quat_to_axis_angle(q): a builtin with several results, unpacked.
        const KeyOverloads& key = rng_.pick(index_.multi_result());
        int sig = pick_overload(key);
        ExprPtr call = builtin(sig, 1, /*allow_operator=*/false);
        Stmt st;
        st.kind = StmtKind::kUnpack;
        st.value = std::move(call);
        for (const Type& t : index_.catalog()[sig].results) st.names.push_back(fresh(base_name_for(t)));
        for (size_t i = 0; i < st.names.size(); ++i) declare(st.names[i], index_.catalog()[sig].results[i], true);
        out.push_back(std::move(st));
        break;
      }
      case 11: {
        // wp.transform_set_rotation(xform, q): updates a local in place.
        auto [key, target] = rng_.pick(in_place);
        std::vector<int> fitting;
        for (int sig : key->signatures) {
          if (index_.catalog()[sig].args[0].type == target->type) fitting.push_back(sig);
        }
        int sig = rng_.pick(fitting);
        const auto& s = index_.catalog()[sig];
        std::vector<ExprPtr> args;
        args.push_back(model::make_var(target->name, target->type));
        for (size_t i = 1; i < s.args.size(); ++i) args.push_back(guarded(s.key, int(i), s.args[i], 1));
        Stmt st;
        st.kind = StmtKind::kExpr;
        st.value = apply(sig, std::move(args), /*allow_operator=*/false);
        out.push_back(std::move(st));
        break;
      }
      default: break;
    }
  }
}

}  // namespace warpsynth::gen

#include "gen/synth.h"

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
  if (t.is_array() || t.kind == Kind::kStruct || t.kind == Kind::kVoid) return false;
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
  features_.type(type);
  if (!type.is_array()) declare(name, type, false);
}

void Synth::add_array(const std::string& name, const Type& type, bool per_thread, std::vector<int> shape) {
  add_param(name, type);
  if (per_thread) shape = launch_dims_;
  arrays_.push_back({name, type, per_thread, std::move(shape)});
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
    features_.construct("tid_nd");
  }
  features_.builtins.insert("tid");
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
    features_.type(t);
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
    features_.type(param_types[i]);
  }
  bool was_in_kernel = in_kernel_;
  in_kernel_ = false;
  func_limit_ = static_cast<int>(program_.funcs.size());
  statements(f.body, rng_.uniform(0, 2), config_.max_nesting - 1);
  Stmt ret;
  ret.kind = StmtKind::kReturn;
  ret.value = expr(returns, 0);
  f.body.push_back(std::move(ret));
  in_kernel_ = was_in_kernel;
  scopes_ = std::move(saved_scopes);
  used_names_ = std::move(saved_names);
  used_names_[name] = 1;
  program_.funcs.push_back(std::move(f));
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
        features_.construct("func_overload");
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
  features_.type(type);
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

ExprPtr Synth::var(const std::string& name) {
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
    auto found = it->find(name);
    if (found != it->end()) return model::make_var(name, found->second.type);
  }
  return nullptr;
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
    features_.type(want);
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
        e->args.push_back(literal(diagonal));
        features_.builtins.insert("diag");
        return e;
      }
      return make(want.rows * want.cols);
    }
    case Kind::kSpatialMatrix: {
      Type sv = Type::spatial_vector_of(want.scalar);
      if (auto sig = index_.find("outer", {sv, sv}); sig && index_.catalog()[*sig].returns == want) {
        auto e = model::make_expr(ExprKind::kCall, want, "outer", *sig);
        e->args.push_back(literal(sv));
        e->args.push_back(literal(sv));
        features_.builtins.insert("outer");
        return e;
      }
      return make(36);
    }
    default: return nullptr;
  }
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
  std::vector<double> weights(5, 0.0);
  auto vars = visible(want);
  std::vector<const ArrayParam*> loads;
  if (in_kernel_ && !tid_.empty()) {
    for (const auto& a : arrays_) {
      if (a.per_thread && a.type.element() == want && a.type.array_ndim == tid_.size()) loads.push_back(&a);
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
  weights[0] = vars.empty() ? 0 : 4;
  weights[1] = loads.empty() ? 0 : 3;
  weights[2] = fields.empty() ? 0 : 3;
  weights[3] = 1.2;  // literal
  weights[4] = want.is_scalar() ? 0.5 : 0;  // component of something
  switch (rng_.weighted(weights)) {
    case 0: return model::make_var(rng_.pick(vars)->name, want);
    case 1: return load(*rng_.pick(loads));
    case 2: {
      const auto& [owner, field] = rng_.pick(fields);
      auto e = model::make_expr(ExprKind::kField, want, field->name);
      e->args.push_back(var(owner));
      features_.construct("struct_field");
      return e;
    }
    case 4:
      if (auto c = component(want, config_.max_expr_depth)) return c;
      [[fallthrough]];
    default: return literal(want);
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
  features_.builtins.insert(sig.key);
  features_.type(sig.returns);
  return e;
}

ExprPtr Synth::construct_node(const Type& t) {
  // wp.vec3(...), wp.mat33(...), wp.quat(...), wp.transform(...), wp.spatial_vector(...) call
  // Warp's constructor builtins of these names.
  switch (t.kind) {
    case Kind::kVector: features_.builtins.insert("vector"); break;
    case Kind::kMatrix: features_.builtins.insert("matrix"); break;
    case Kind::kQuat: features_.builtins.insert("quaternion"); break;
    case Kind::kTransform: features_.builtins.insert("transformation"); break;
    case Kind::kSpatialVector: features_.builtins.insert("spatial_vector"); break;
    case Kind::kSpatialMatrix: features_.builtins.insert("spatial_matrix"); break;
    default: break;
  }
  features_.type(t);
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

ExprPtr Synth::random_state(int depth) {
  const Type state_type = Type::scalar_of(Scalar::kUInt32);
  auto states = visible(state_type);
  for (const auto* v : states) {
    if (v->name.rfind("state", 0) == 0 || v->name.rfind("rng", 0) == 0) return model::make_var(v->name, state_type);
  }
  std::vector<ExprPtr> seed;
  seed.push_back(expr(kInt, depth + 1));
  if (auto e = call("rand_init", std::move(seed))) return e;
  return literal(state_type);
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
  switch (g) {
    case Guard::kNone: return expr(type, depth + 1);
    case Guard::kRandomState: return random_state(depth);
    case Guard::kSmallLiteral: return positive_literal();
    case Guard::kShiftAmount:
      if (type.is_scalar()) return scalar_literal(type, rng_.uniform(0, 7));
      return positive_literal();
    case Guard::kNormalized: {
      std::vector<ExprPtr> a;
      a.push_back(expr(type, depth + 1));
      if (auto e = call("normalize", std::move(a))) return e;
      return literal(type);
    }
    case Guard::kNonNegative:
    case Guard::kPositive: {
      if (!model::is_float(type.scalar)) return positive_literal();
      std::vector<ExprPtr> a;
      a.push_back(expr(type, depth + 1));
      auto abs = call("abs", std::move(a));
      if (!abs) return positive_literal();
      if (g == Guard::kNonNegative) return abs;
      std::vector<ExprPtr> sum;
      sum.push_back(std::move(abs));
      sum.push_back(one(type));
      if (auto e = call("add", std::move(sum))) return e;
      return positive_literal();
    }
    case Guard::kUnit: return clamp_to(expr(type, depth + 1), -1.0, 1.0);
    case Guard::kOpenUnit: return clamp_to(expr(type, depth + 1), -0.99, 0.99);
    case Guard::kOpenTwo: return clamp_to(expr(type, depth + 1), 0.01, 1.99);
    case Guard::kBounded: return clamp_to(expr(type, depth + 1), type.is_int() ? 0 : -8.0, 8.0);
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
  for (size_t i = 0; i < sig.args.size(); ++i) args.push_back(guarded(sig.key, int(i), sig.args[i], depth));
  return apply(signature, std::move(args), allow_operator);
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
  features_.construct("component_read");
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
  features_.construct("cast");
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
  features_.construct("func_call");
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
  ExprPtr lhs = expr(t, depth + 1);
  for (int attempt = 0; attempt < 3 && lhs->kind == ExprKind::kLiteral; ++attempt) lhs = expr(t, depth + 1);
  if (lhs->kind == ExprKind::kLiteral) {
    auto vars = visible(t);
    if (!vars.empty()) lhs = model::make_var(rng_.pick(vars)->name, t);
  }
  ExprPtr rhs = rng_.chance(0.5) ? literal(t) : expr(t, depth + 1);
  if (rhs->kind == lhs->kind && rhs->text == lhs->text && rhs->args.empty()) rhs = literal(t);
  e->args.push_back(std::move(lhs));
  e->args.push_back(std::move(rhs));
  features_.construct("compare");
  return e;
}

ExprPtr Synth::condition(int depth) {
  double r = rng_.unit();
  if (depth < config_.max_expr_depth) {
    if (r < 0.12) {
      auto e = model::make_expr(ExprKind::kBoolOp, kBool, rng_.chance(0.5) ? "and" : "or");
      e->args.push_back(compare(depth + 1));
      e->args.push_back(compare(depth + 1));
      features_.construct("bool_op");
      return e;
    }
    if (r < 0.16) {
      auto e = model::make_expr(ExprKind::kNot, kBool);
      e->args.push_back(compare(depth + 1));
      features_.construct("bool_op");
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
    features_.construct("ternary");
    return e;
  }
  if (want.is_scalar() && rng_.chance(config_.p_component)) {
    if (auto e = component(want, depth)) return e;
  }
  if (want.is_scalar() && rng_.chance(config_.p_cast)) return cast(want, depth);
  const auto& producers = index_.producing(want);
  if (producers.empty() || (!want.is_scalar() && rng_.chance(0.08))) return construct(want, depth);
  return builtin(pick_overload(rng_.pick(producers)), depth);
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
  features_.construct("local");
  return name;
}

void Synth::store(Block& out, ExprPtr target, ExprPtr value) {
  if (!target || !value) throw std::logic_error("generator bug: no catalog overload for a stored value");
  Stmt s;
  s.kind = StmtKind::kStore;
  s.target = std::move(target);
  s.value = std::move(value);
  features_.construct(s.target->kind == ExprKind::kIndex ? "array_store" : "component_store");
  out.push_back(std::move(s));
}

Stmt Synth::if_stmt(ExprPtr condition, Block body) {
  Stmt s;
  s.kind = StmtKind::kIf;
  s.value = std::move(condition);
  s.body = std::move(body);
  features_.construct("if");
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
    features_.builtins.insert(key);
  }
  features_.construct("atomic");
  out.push_back(std::move(s));
}

model::Stmt Synth::loop_exit(bool allow_continue) {
  bool is_continue = allow_continue && rng_.chance(0.4);
  Block inner;
  Stmt s;
  s.kind = is_continue ? StmtKind::kContinue : StmtKind::kBreak;
  inner.push_back(std::move(s));
  features_.construct(is_continue ? "continue" : "break");
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
    features_.construct("for_range_step");
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
  features_.construct("for_range");
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
  features_.construct("while");
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
        out.push_back(std::move(s));
        features_.construct("aug_assign");
        break;
      }
      case 2: {
        const Variable* v = rng_.pick(numeric);
        Stmt s;
        s.kind = StmtKind::kAssign;
        s.name = v->name;
        s.value = mutable_value(expr(v->type, 0));
        out.push_back(std::move(s));
        features_.construct("reassign");
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
          features_.construct("elif");
        }
        if (rng_.chance(0.5)) {
          push_scope();
          statements(s.orelse, rng_.uniform(1, 2), nesting + 1);
          pop_scope();
          features_.construct("else");
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
          features_.builtins.insert(key);
          features_.construct("atomic");
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
        features_.construct("early_return");
        break;
      }
      case 9: {
        int f = rng_.uniform(0, func_limit_ - 1);
        const auto& fd = program_.funcs[f];
        auto call = model::make_expr(ExprKind::kFuncCall, fd.returns, fd.name, f);
        for (const auto& p : fd.params) call->args.push_back(expr(p.type, 1));
        features_.construct("func_call");
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
        features_.construct("tuple_unpack");
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

// Synth: expressions grown for a wanted type: leaves, literals, builtin calls with guarded
// arguments, components, casts, constructors, comparisons and conditions.
#include "generator/synth.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "generator/synth_common.h"

namespace warpsynth::generator {

using namespace synth_detail;

ExprPtr Synth::var(const std::string& name) {
  if (const Variable* v = scopes_.find(name)) {
    unread_.erase(name);
    return model::make_var(name, v->type);
  }
  if (const ArrayParam* a = array(name)) {
    unread_.erase(name);
    return model::make_var(name, a->type);
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
  if (want.is_bool()) return model::make_literal(rng_.chance(config_.p_true_literal) ? "True" : "False", kBool);
  if (want.is_scalar()) {
    if (model::is_float(want.scalar)) {
      std::string text = rng_.chance(config_.p_common_float_literal) ? kFloatLiterals[rng_.uniform(0, 19)]
                                          : format_double(rng_.uniform(-500, 500) / 100.0);
      return float_literal(text, want);
    }
    int hi = 16;
    return scalar_literal(want, rng_.uniform(model::is_signed(want.scalar) ? -4 : 0, hi));
  }
  Type component = want.component();
  auto make = [&](int count) {
    auto e = construct_node(want);
    e->args.reserve(size_t(count));
    for (int i = 0; i < count; ++i) e->args.push_back(literal(component));
    return e;
  };
  switch (want.kind) {
    case Kind::kVector: return make(rng_.chance(config_.p_splat_vector_literal) ? 1 : want.rows);
    case Kind::kSpatialVector: return make(6);
    case Kind::kQuat: {
      // A rotation about a coordinate axis by an angle the kernel has, as real code builds one
      // (newton: quat_from_axis_angle in 74 kernels), rather than four stock components.
      const Type axis_type = Type::vector_of(3, want.scalar), angle_type = Type::scalar_of(want.scalar);
      if (auto sig = index_.find("quat_from_axis_angle", {axis_type, angle_type}); sig && index_.catalog()[*sig].returns == want) {
        if (ExprPtr angle = nonliteral_leaf(angle_type)) {
          auto axis = construct_node(axis_type);
          const int along = rng_.uniform(0, 2);
          for (int i = 0; i < 3; ++i) axis->args.push_back(float_literal(i == along ? "1.0" : "0.0", angle_type));
          auto e = model::make_expr(ExprKind::kCall, want, "quat_from_axis_angle", *sig);
          e->args.push_back(std::move(axis));
          e->args.push_back(std::move(angle));
          return e;
        }
      }
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
      if (want.rows <= 3 && rng_.chance(config_.p_matrix_literal_components)) return make(want.rows * want.cols);
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

ExprPtr Synth::guarded(int signature, int arg, int depth) {
  const Type& type = index_.catalog()[signature].args[arg].type;
  Guard g = index_.guard(signature, arg);
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
    case Guard::kRangeLow: return scalar_literal(type, rng_.uniform(0, 8));
    case Guard::kRangeHigh: return scalar_literal(type, rng_.uniform(10, 32));
    case Guard::kOctaveFactor: {
      static const char* const kLacunarity[] = {"1.5", "2.0", "3.0"};
      static const char* const kGain[] = {"0.25", "0.5", "0.75"};
      const bool gain = index_.catalog()[signature].args[arg].name == "gain";
      return float_literal((gain ? kGain : kLacunarity)[rng_.uniform(0, 2)], type);
    }
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
  args.reserve(sig.args.size());
  for (size_t i = 0; i < sig.args.size(); ++i) {
    if (!in_kernel_ && index_.guard(signature, int(i)) == Guard::kRandomState) {
      return live_value(sig.returns);  // random state is made once per thread, from a seed argument
    }
    args.push_back(guarded(signature, int(i), depth));
  }
  // The condition of wp.where is data, never a constant.
  if ((sig.key == "where" || sig.key == "select") && !args.empty() && is_constant(*args[0])) args[0] = live_value(args[0]->type);
  // A computing builtin takes at least one live value: wp.sin(2.0) is a constant, not code.
  // (A variable declared as a constant counts: wp.length(tangent) after tangent = wp.vec3(0.0).)
  bool all_constant = !args.empty() && std::all_of(args.begin(), args.end(), [this](const ExprPtr& a) { return holds_constant(*a); });
  if (all_constant) {
    std::vector<size_t> open;
    for (size_t i = 0; i < args.size(); ++i) {
      Guard g = index_.guard(signature, int(i));
      if (g != Guard::kSmallLiteral && g != Guard::kShiftAmount && g != Guard::kRandomState && g != Guard::kRangeLow &&
          g != Guard::kRangeHigh && g != Guard::kOctaveFactor)
        open.push_back(i);
    }
    if (!open.empty()) {
      size_t k = rng_.pick(open);
      bool saved = force_live_;
      force_live_ = true;
      args[k] = guarded(signature, int(k), config_.max_expr_depth);
      force_live_ = saved;
    }
  }
  avoid_trivial(sig.key, args);
  return apply(signature, std::move(args), allow_operator);
}

ExprPtr Synth::random_component(ExprPtr base) {
  const Type t = base->type;
  // A component that is not a known constant, where there is one (a literal part of a vector, an
  // off-diagonal of wp.diag): reading a constant made whole outputs constant.
  std::uint64_t constant = 0;
  if (base->kind == ExprKind::kVar) {
    if (const Variable* v = find_variable(base->text)) constant = v->constant_components;
  } else {
    constant = constant_components(*base);
  }
  const int n = t.is_matrix_like() ? t.rows * t.cols : t.length();
  std::vector<int> varying;
  for (int k = 0; k < n && k < 64; ++k) {
    if (!(constant >> k & 1)) varying.push_back(k);
  }
  const int k = varying.empty() || varying.size() == static_cast<std::size_t>(n) ? rng_.uniform(0, n - 1) : rng_.pick(varying);
  auto e = model::make_expr(ExprKind::kComponent, t.component());
  e->args.push_back(std::move(base));
  if (t.is_matrix_like()) {
    e->args.push_back(int_literal(k / t.cols));
    e->args.push_back(int_literal(k % t.cols));
  } else {
    e->args.push_back(int_literal(k));
  }
  return e;
}

ExprPtr Synth::component(const Type& want, int depth) {
  // A vector or matrix variable with this component type, or a small vector made on the spot.
  std::vector<const Variable*> sources;
  for (const Variable* v : scopes_.all()) {
    if ((v->type.is_vector_like() || v->type.is_matrix_like()) && v->type.component() == want) sources.push_back(v);
  }
  ExprPtr base;
  if (!sources.empty() && rng_.chance(config_.p_component_of_variable)) {
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
  return random_component(std::move(base));
}

ExprPtr Synth::cast(const Type& want, int depth) {
  Type from;
  if (model::is_float(want.scalar)) {
    from = rng_.chance(config_.p_cast_from_int) ? kInt : pick_float_type();
  } else {
    from = rng_.chance(config_.p_cast_from_int32) ? kInt : Type::scalar_of(Scalar::kInt64);
  }
  if (from == want) from = model::is_float(want.scalar) ? kInt : Type::scalar_of(Scalar::kInt64);
  auto e = model::make_expr(ExprKind::kCast, want);
  e->args.push_back(expr(from, depth + 1));
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
  Type t = rng_.chance(config_.p_compare_float32) ? kFloat : rng_.chance(config_.p_compare_int) ? kInt : pick_float_type();
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
    const double bool_op = config_.p_condition_bool_op, negation = bool_op + config_.p_condition_not;
    const double builtin_bool = negation + config_.p_condition_builtin, bool_var = builtin_bool + config_.p_condition_bool_var;
    if (r < bool_op) {
      auto e = model::make_expr(ExprKind::kBoolOp, kBool, rng_.chance(config_.p_and) ? "and" : "or");
      e->args.push_back(compare(depth + 1));
      e->args.push_back(compare(depth + 1));
      return e;
    }
    if (r < negation) {
      // `not` of what a person negates: a bool variable or a bool builtin; a comparison is written
      // with its opposite operator instead (`not a < b` reads as machine-made).
      ExprPtr inner;
      if (auto vars = visible(kBool); !vars.empty()) inner = model::make_var(rng_.pick(vars)->name, kBool);
      const auto& producers = index_.producing(kBool);
      if (!inner && !producers.empty()) inner = builtin(pick_overload(rng_.pick(producers)), depth + 1);
      return model::negation_of(inner ? std::move(inner) : compare(depth + 1));
    }
    if (r < builtin_bool) {
      const auto& producers = index_.producing(kBool);
      if (!producers.empty()) return builtin(pick_overload(rng_.pick(producers)), depth);
    }
    if (r < bool_var) {
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
  if (producers.empty() || (!want.is_scalar() && rng_.chance(config_.p_construct))) return construct(want, depth);
  return builtin(pick_overload(producers[size_t(rng_.weighted(index_.producing_weights(want)))]), depth);
}

}  // namespace warpsynth::generator

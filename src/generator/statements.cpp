#include "generator/statements.h"

#include "generator/synth_common.h"
#include "model/liveness.h"

namespace warpsynth::generator {

using namespace synth_detail;

// The builders reach into Synth (its random source, scopes and expression synthesis).
struct StatementBuilders {
  static bool is_assignable_numeric(const Variable& v) { return v.assignable && is_numeric_value(v.type); }
  static bool is_assignable_vector(const Variable& v) {
    return v.assignable && v.type.kind == Kind::kVector && !v.type.is_array();
  }
  // One of the `count` variables in scope that `fits`, drawn as Rng::pick draws from their list.
  static const Variable* pick(Synth& s, size_t count, bool (*fits)(const Variable&)) {
    size_t k = s.rng_.index(count);
    for (const Variable* v : s.scopes_.all()) {
      if (fits(*v) && k-- == 0) return v;
    }
    return nullptr;  // not reached: count is how many fit
  }

  static bool always(const Synth&, const StatementContext&) { return true; }
  static bool has_numeric(const Synth&, const StatementContext& c) { return c.numeric > 0; }
  static bool has_vector(const Synth&, const StatementContext& c) { return c.vectors > 0; }
  static bool can_nest(const Synth& s, const StatementContext& c) { return c.nesting < s.config_.max_nesting; }
  static bool has_accumulator(const Synth& s, const StatementContext& c) { return !c.accumulators.empty() && s.in_kernel_; }
  static bool in_kernel(const Synth& s, const StatementContext&) { return s.in_kernel_; }
  static bool can_return(const Synth& s, const StatementContext&) { return s.in_kernel_ && s.while_depth_ == 0; }
  static bool has_func(const Synth& s, const StatementContext&) { return s.func_limit_ > 0; }
  static bool has_multi_result(const Synth& s, const StatementContext&) { return !s.index_.multi_result().empty(); }
  static bool has_in_place(const Synth&, const StatementContext& c) { return c.in_place; }

  // The (builtin, local) pairs an in-place statement may use, in a stable order.
  static std::vector<std::pair<const KeyOverloads*, const Variable*>> in_place_candidates(const Synth& s) {
    std::vector<std::pair<const KeyOverloads*, const Variable*>> out;
    auto values = s.assignable_where([](const Type& t) { return !t.is_array(); });
    for (const auto& key : s.index_.in_place()) {
      for (int sig : key.signatures) {
        for (const Variable* v : values) {
          if (v->type == s.index_.catalog()[sig].args[0].type) out.emplace_back(&key, v);
        }
      }
    }
    return out;
  }

  // name = <expression>
  static void local(Synth& s, Block& out, const StatementContext&) {
    Type t = s.pick_local_type();
    s.local(out, s.base_name_for(t), s.expr(t, 0));
  }

  // x += <expression>, x -= ..., x *= ...
  static void aug_assign(Synth& s, Block& out, const StatementContext& c) {
    const Variable* v = pick(s, c.numeric, is_assignable_numeric);
    Type t = v->type;
    std::vector<std::pair<std::string, std::string>> ops = {{"+=", "add"}, {"-=", "sub"}};
    if (model::is_float(t.scalar) && (t.is_scalar() || t.kind == Kind::kMatrix || t.kind == Kind::kQuat)) {
      ops.push_back({"*=", "mul"});
    }
    auto [op, key] = s.rng_.pick(ops);
    if (!s.index_.find(key, {t, t})) return;
    Stmt st;
    st.kind = StmtKind::kAugAssign;
    st.name = v->name;
    st.op = op;
    st.value = t.is_int() ? (s.rng_.chance(s.config_.p_int_update_literal) ? s.literal(t) : s.leaf(t)) : s.expr(t, 1);
    // x += x doubles x, x -= x and x += -x zero it: an update reads another value
    auto is_self = [&](const model::Expr& e) {
      const model::Expr& base = e.kind == ExprKind::kUnary && !e.args.empty() ? *e.args[0] : e;
      return base.kind == ExprKind::kVar && base.text == v->name;
    };
    for (int attempt = 0; attempt < 3 && is_self(*st.value); ++attempt) st.value = s.live_value(t);
    if (is_self(*st.value)) return;
    // x += x * y + z: an update that reads what it updates is written by no person (1 kernel in 200
    // of the newton corpus, 1 in 9 generated ones before): the update reads other values.
    for (int attempt = 0; attempt < 3 && model::reads_name(*st.value, v->name); ++attempt) st.value = s.live_value(t);
    if (model::reads_name(*st.value, v->name)) return;
    // x += v right after x -= v undoes it, and x -= v twice is x -= 2 * v: pairs a blind reader saw at once.
    if (!out.empty() && out.back().kind == StmtKind::kAugAssign && out.back().name == v->name &&
        model::same_expr(*out.back().value, *st.value)) {
      return;
    }
    // x *= x + c squares x: in a loop it overflows in a few iterations (found by --verify run).
    if (op == "*=" && model::reads_name(*st.value, v->name)) st.op = "+=";
    // x -= x + c leaves -c whatever x was: the update forgets x (an output constant, found by --verify run).
    if (op == "-=" && model::reads_name(*st.value, v->name)) st.op = "+=";
    out.push_back(std::move(st));
  }

  // x = <expression of x's type>
  static void reassign(Synth& s, Block& out, const StatementContext& c) {
    const Variable* v = pick(s, c.numeric, is_assignable_numeric);
    Stmt st;
    st.kind = StmtKind::kAssign;
    st.name = v->name;
    st.value = s.mutable_value(s.expr(v->type, 0));
    if (st.value->kind == ExprKind::kVar && st.value->text == v->name) return;  // x = x
    out.push_back(std::move(st));
  }

  // v[k] = <expression>
  static void component_store(Synth& s, Block& out, const StatementContext& c) {
    const Variable* v = pick(s, c.vectors, is_assignable_vector);
    auto target = model::make_expr(ExprKind::kComponent, v->type.component());
    target->args.push_back(model::make_var(v->name, v->type));
    target->args.push_back(s.int_literal(s.rng_.uniform(0, v->type.length() - 1)));
    s.store(out, std::move(target), s.expr(v->type.component(), 1));
  }

  // if <condition>: ... [elif ...: ...] [else: ...]
  static void if_else(Synth& s, Block& out, const StatementContext& c) {
    s.push_scope();
    Block body;
    s.statements(body, s.rng_.uniform(1, 2), c.nesting + 1);
    s.pop_scope();
    Stmt st = s.if_stmt(s.condition(1), std::move(body));
    if (s.rng_.chance(s.config_.p_elif)) {
      s.push_scope();
      model::Elif e;
      e.condition = s.condition(1);
      s.statements(e.body, 1, c.nesting + 1);
      s.pop_scope();
      st.elifs.push_back(std::move(e));
    }
    if (s.rng_.chance(s.config_.p_else)) {
      s.push_scope();
      s.statements(st.orelse, s.rng_.uniform(1, 2), c.nesting + 1);
      s.pop_scope();
    }
    out.push_back(std::move(st));
  }

  static void for_loop(Synth& s, Block& out, const StatementContext& c) { s.for_loop(out, c.nesting); }
  static void while_loop(Synth& s, Block& out, const StatementContext& c) { s.while_loop(out, c.nesting); }

  // wp.atomic_add(acc, wp.clamp(k, 0, acc.shape[0] - 1), v), and the other atomics that commute
  // (min, max, and bitwise and/or/xor), one kind per array (ArrayParam::atomic_family): other
  // threads write the same elements, so an order-dependent mix (min then add, an exchange, a
  // compare-and-swap) or an array other threads also read gives outputs that change from launch
  // to launch on a GPU.
  static void atomic(Synth& s, Block& out, const StatementContext& c) {
    const ArrayParam* a = s.rng_.pick(c.accumulators);
    Type e = a->type.element();
    auto index = s.clamped_index(*a, s.expr(kInt, 1));
    std::vector<std::string> keys;
    if (a->atomic_family == "add" || a->atomic_family.empty()) keys = {"atomic_add", "atomic_add", "atomic_sub"};
    if (a->atomic_family.empty() && e.is_scalar()) keys.insert(keys.end(), {"atomic_min", "atomic_max"});
    if (a->atomic_family.empty() && e.is_int()) keys.insert(keys.end(), {"atomic_and", "atomic_or", "atomic_xor"});
    if (keys.empty()) keys = {"atomic_" + a->atomic_family};
    s.atomic(out, *a, std::move(index), s.expr(e, 1), s.rng_.pick(keys));
  }

  // if <condition>: return
  // An early return as real kernels write one: on an element that crosses a threshold most
  // elements stay under (`if x[i] > 0.75: return`), or the thread index past an array's extent.
  // A condition on a parameter or a constant sends every thread back or none, and one drawn at
  // random (`i != -4`) sends nearly every thread back: the kernel then computes nothing (both
  // found by --verify run).
  static void early_return(Synth& s, Block& out, const StatementContext&) {
    if (s.tid_.empty()) return;
    std::vector<const ArrayParam*> loads, extents;
    for (const auto& a : s.arrays_) {
      if (a.per_thread && !a.output && a.type.element() == kFloat && a.type.array_ndim == s.tid_.size()) loads.push_back(&a);
      if (a.type.array_ndim >= 1) extents.push_back(&a);
    }
    ExprPtr condition;
    if (!loads.empty() && (extents.empty() || s.rng_.chance(0.7))) {
      static const char* const kThresholds[] = {"0.5", "0.75", "0.9"};
      condition = model::make_expr(ExprKind::kCompare, kBool, ">");
      condition->args.push_back(s.load(*s.rng_.pick(loads)));
      condition->args.push_back(s.float_literal(kThresholds[s.rng_.uniform(0, 2)], kFloat));
    } else if (!extents.empty()) {
      condition = model::make_expr(ExprKind::kCompare, kBool, ">=");
      condition->args.push_back(s.var(s.tid_[0]));
      condition->args.push_back(s.shape(*s.rng_.pick(extents), 0));
    } else {
      return;
    }
    Block inner;
    Stmt r;
    r.kind = StmtKind::kReturn;
    inner.push_back(std::move(r));
    out.push_back(s.if_stmt(std::move(condition), std::move(inner)));
  }



  // name = helper(...)
  static void func_call(Synth& s, Block& out, const StatementContext&) {
    int f = s.rng_.uniform(0, s.func_limit_ - 1);
    const auto& fd = s.use_func(f);
    auto call = model::make_expr(ExprKind::kFuncCall, fd.returns, fd.name, f);
    for (const auto& p : fd.params) call->args.push_back(s.expr(p.type, 1));
    s.local(out, s.base_name_for(fd.returns), std::move(call));
  }

  // axis, angle = wp.quat_to_axis_angle(q): a builtin with several results, unpacked.
  static void unpack(Synth& s, Block& out, const StatementContext&) {
    const KeyOverloads& key = s.rng_.pick(s.index_.multi_result());
    int sig = s.pick_overload(key);
    ExprPtr call = s.builtin(sig, 1, /*allow_operator=*/false);
    Stmt st;
    st.kind = StmtKind::kUnpack;
    st.value = std::move(call);
    for (const Type& t : s.index_.catalog()[sig].results) st.names.push_back(s.fresh(s.base_name_for(t)));
    for (size_t i = 0; i < st.names.size(); ++i) s.declare(st.names[i], s.index_.catalog()[sig].results[i], true);
    out.push_back(std::move(st));
  }

  // wp.transform_set_rotation(xform, q): updates a local in place.
  static void in_place(Synth& s, Block& out, const StatementContext&) {
    auto candidates = in_place_candidates(s);
    auto [key, target] = s.rng_.pick(candidates);
    std::vector<int> fitting;
    for (int sig : key->signatures) {
      if (s.index_.catalog()[sig].args[0].type == target->type) fitting.push_back(sig);
    }
    int sig = s.rng_.pick(fitting);
    const auto& signature = s.index_.catalog()[sig];
    std::vector<ExprPtr> args;
    args.push_back(model::make_var(target->name, target->type));
    for (size_t i = 1; i < signature.args.size(); ++i) args.push_back(s.guarded(sig, int(i), 1));
    Stmt st;
    st.kind = StmtKind::kExpr;
    st.value = s.apply(sig, std::move(args), /*allow_operator=*/false);
    out.push_back(std::move(st));
  }

  static StatementContext context(const Synth& s, int nesting) {
    StatementContext c;
    c.nesting = nesting;
    for (const Variable* v : s.scopes_.all()) {
      c.numeric += is_assignable_numeric(*v);
      c.vectors += is_assignable_vector(*v);
    }
    for (const auto& a : s.arrays_) {
      Type e = a.type.element();
      if (a.type.array_ndim == 1 && a.accumulator && a.atomic_family != kMixedAtomics &&
          (e.is_int() || e == kFloat || e == Type::vector_of(3, Scalar::kFloat32))) {
        c.accumulators.push_back(&a);
      }
    }
    // An in-place builtin needs a local of its first argument's type to update.
    for (const Variable* v : s.scopes_.all()) {
      c.in_place = c.in_place || (v->assignable && !v->type.is_array() && s.index_.updates_in_place(v->type));
    }
    return c;
  }
};

const std::vector<StatementKind>& statement_kinds() {
  using B = StatementBuilders;
  static const std::vector<StatementKind> kinds = {
      {"local", B::always, B::local},
      {"aug_assign", B::has_numeric, B::aug_assign},
      {"reassign", B::has_numeric, B::reassign},
      {"component_store", B::has_vector, B::component_store},
      {"if", B::can_nest, B::if_else},
      {"for", B::can_nest, B::for_loop},
      {"while", B::can_nest, B::while_loop},
      {"atomic", B::has_accumulator, B::atomic},
      {"early_return", B::can_return, B::early_return},
      {"func_call", B::has_func, B::func_call},
      {"unpack", B::has_multi_result, B::unpack},
      {"in_place", B::has_in_place, B::in_place},
  };
  return kinds;
}

void Synth::statements(Block& out, int count, int nesting) {
  const auto& kinds = statement_kinds();
  for (int n = 0; n < count; ++n) {
    StatementContext c = StatementBuilders::context(*this, nesting);
    // Reused: the weights are read before the statement is built (which may recurse here).
    std::vector<double>& weights = scratch_.statement_weights;
    weights.assign(kinds.size(), 0.0);
    for (size_t k = 0; k < kinds.size(); ++k) {
      if (kinds[k].allowed(*this, c)) weights[k] = statement_weights_[k];
    }
    int chosen = rng_.weighted(weights);
    if (chosen >= 0) kinds[size_t(chosen)].build(*this, out, c);
  }
}

}  // namespace warpsynth::generator

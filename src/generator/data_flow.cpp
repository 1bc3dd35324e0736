// Synth: data flow. Live values (never only literals where a builtin computes), values not read
// yet preferred, trivial operations redrawn, and what would reach no output folded into a result.
#include "generator/synth.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <unordered_set>

#include "generator/synth_common.h"

#include "generator/statements.h"
#include "model/liveness.h"

namespace warpsynth::generator {

using namespace synth_detail;

const Variable* Synth::pick_var(const std::vector<const Variable*>& vars) {
  // Values not read yet first: what is computed should be used (dead code is pruned anyway).
  std::vector<const Variable*>& unread = scratch_.unread;
  unread.clear();
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

namespace {

// An operation whose component k depends only on the operands' components k (and scalars).
bool is_componentwise(const Expr& e) {
  static const std::set<std::string, std::less<>> kOps = {
      "+",   "-",     "/",    "%",     "add",  "sub",  "div",  "mod",   "neg",     "pos",    "cw_mul", "cw_div",
      "abs", "sign",  "floor", "ceil", "round", "rint", "trunc", "frac", "min",     "max",    "|",      "&",
      "^",   "<<",    ">>",   "bit_or", "bit_and", "bit_xor", "lshift", "rshift"};
  if (e.kind == ExprKind::kUnary || e.kind == ExprKind::kBinary || e.kind == ExprKind::kCall) {
    if (kOps.count(e.text)) return true;
    // a scaling: vector * scalar (a matrix times a matrix or vector is not componentwise)
    return (e.text == "*" || e.text == "mul") && e.args.size() == 2 &&
           (e.args[0]->type.is_scalar() || e.args[1]->type.is_scalar());
  }
  return false;
}

int component_count(const Type& t) {
  if (t.is_matrix_like()) return t.rows * t.cols;
  return t.is_vector_like() ? t.length() : 0;
}

}  // namespace

std::uint64_t Synth::constant_components(const Expr& e) {
  const int n = component_count(e.type);
  if (n <= 0 || n > 64) return 0;
  const std::uint64_t all = n == 64 ? ~0ull : (1ull << n) - 1;
  if (is_constant(e)) return all;
  std::uint64_t mask = 0;
  if (e.kind == ExprKind::kConstruct && static_cast<int>(e.args.size()) == n) {
    for (int k = 0; k < n; ++k) mask |= is_constant(*e.args[k]) ? 1ull << k : 0;
  } else if (e.kind == ExprKind::kCall && e.text == "diag" && e.type.is_matrix_like()) {
    for (int r = 0; r < e.type.rows; ++r)
      for (int c = 0; c < e.type.cols; ++c) mask |= r != c ? 1ull << (r * e.type.cols + c) : 0;
  } else if (is_componentwise(e)) {
    // (wp.vec2i(i, 13) / 7)[1] is 13 / 7: a component is constant where it is in every operand.
    mask = all;
    for (const auto& a : e.args) {
      if (a->type == e.type) mask &= constant_components(*a);
      else if (a->type.is_scalar()) mask &= is_constant(*a) ? all : 0;
      else return 0;
    }
  }
  return mask;
}

bool Synth::holds_constant(const Expr& e) const {
  if (is_constant(e)) return true;
  if (e.kind != ExprKind::kVar) return false;
  const Variable* v = find_variable(e.text);
  const int n = component_count(e.type);
  return v && n > 0 && n < 64 && v->constant_components == (1ull << n) - 1;
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

ExprPtr Synth::nonliteral_leaf(const Type& want, double literal_weight) {
  std::array<double, 5> weights{};
  // The candidates go in buffers the Synth keeps (a leaf is drawn hundreds of times per kernel):
  // they are read only before anything below draws another leaf.
  std::vector<const Variable*>& vars = scratch_.vars;
  visible(want, vars);
  // A random state is a number only to the random builtins (guarded arguments read it): as a
  // value (`slot = state`, a condition) it is nonzero and huge, and outputs were constant.
  vars.erase(std::remove_if(vars.begin(), vars.end(), [](const Variable* v) { return is_random_state(*v); }), vars.end());
  std::vector<const ArrayParam*>& loads = scratch_.loads;
  loads.clear();
  if (in_kernel_ && !tid_.empty()) {
    for (const auto& a : arrays_) {
      if (a.per_thread && !a.output && a.type.element() == want && a.type.array_ndim == tid_.size()) loads.push_back(&a);
    }
  }
  auto& fields = scratch_.fields;  // (struct variable, field)
  fields.clear();
  for (const Variable* v : scopes_.all()) {
    if (!v->type.is_struct()) continue;
    for (const auto& f : program_.structs[v->type.struct_id].fields) {
      if (f.type == want) fields.emplace_back(&v->name, &f);
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
      e->args.push_back(var(*owner));
      return e;
    }
    case 4:
      if (auto c = component(want, config_.max_expr_depth)) return c;
      return nullptr;
    default: return nullptr;  // a literal, or nothing live of this type in scope
  }
}

bool Synth::is_random_state(const Variable& v) {
  // float(state) swamped every other term of a result (about 1e9) while meaning nothing: found by
  // --verify run, which saw a kernel's output blind to its points.
  return v.type == Type::scalar_of(Scalar::kUInt32) && (v.name.rfind("state", 0) == 0 || v.name.rfind("rng", 0) == 0);
}

ExprPtr Synth::random_state(int /*depth*/) {
  // Per-thread random state as real code makes it: `state = wp.rand_init(seed, tid)` once at the
  // top of the kernel, `seed` an argument, so each launch and each thread draws other numbers.
  const Type state_type = Type::scalar_of(Scalar::kUInt32);
  auto states = visible(state_type);
  for (const auto* v : states) {
    if (is_random_state(*v)) return var(v->name);
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
  scopes_.declare_outermost({name, state_type, false, 0, nullptr});
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

bool Synth::same_value(const Expr& a, const Expr& b) const {
  auto copied = [&](const Expr& c, const Expr& of) {  // c was declared as a copy of `of`
    const Variable* v = c.kind == ExprKind::kVar ? find_variable(c.text) : nullptr;
    return v && v->copy_of && model::same_expr(*v->copy_of, of);
  };
  return model::same_expr(a, b) || copied(a, b) || copied(b, a);
}

bool Synth::cancels(const Expr& a, const Expr& b) const {
  auto negated = [](const Expr& e) -> const Expr* {
    const bool negation = e.kind == ExprKind::kUnary || (e.kind == ExprKind::kCall && e.text == "neg");
    return negation && !e.args.empty() ? e.args[0].get() : nullptr;
  };
  const Expr* na = negated(a);
  const Expr* nb = negated(b);
  return (na && same_value(*na, b)) || (nb && same_value(*nb, a));
}

void Synth::avoid_trivial(const std::string& key, std::vector<ExprPtr>& args) {
  // a * 0.0: zero whatever a is (outputs all zero under --verify run).
  if (key == "mul") {
    auto zero = [](const model::Expr& e) {
      const model::Expr& lit = e.kind == ExprKind::kCast && e.args.size() == 1 ? *e.args[0] : e;
      return lit.kind == ExprKind::kLiteral && (lit.text == "0.0" || lit.text == "0");
    };
    for (auto& a : args) {
      if (zero(*a)) a = live_value(a->type);
    }
    return;
  }
  // a - a, a / a, a % a, a ^ a, wp.where(c, a, a), -a + a, a + (c - a), a - (a + c): the result
  // does not depend on a. wp.atan2(a, a), wp.cross(a, a), wp.min(a, a), wp.clamp(a, a, c): a
  // constant or a itself (found by --verify run: outputs that were one constant).
  size_t x = 0, y = 1;
  if (key == "where" || key == "select") x = 1, y = 2;
  else if (key != "sub" && key != "div" && key != "mod" && key != "bit_xor" && key != "floordiv" &&
           key != "div_approx" && key != "add" && key != "atan2" && key != "cross" && key != "min" &&
           key != "max" && key != "clamp" && key != "cw_div" && key != "bit_and" && key != "bit_or")
    return;
  if (args.size() <= y) return;
  // x + (c - x) and (c - x) + x; x - (x + c) and x - (c + x)
  auto operand_of = [](const Expr& e, const char* op, size_t k) -> const Expr* {
    const char* symbol = std::string_view(op) == "sub" ? "-" : "+";
    bool is_op = ((e.kind == ExprKind::kCall && e.text == op) || (e.kind == ExprKind::kBinary && e.text == symbol)) &&
                 e.args.size() == 2;
    return is_op ? e.args[k].get() : nullptr;
  };
  auto undone = [&](const Expr& a, const Expr& b) {
    if (key == "add") {
      const Expr* q = operand_of(b, "sub", 1);
      const Expr* p = operand_of(a, "sub", 1);
      return (q && same_value(*q, a)) || (p && same_value(*p, b));
    }
    if (key == "sub") {
      const Expr* l = operand_of(b, "add", 0);
      const Expr* r = operand_of(b, "add", 1);
      return (l && same_value(*l, a)) || (r && same_value(*r, a));
    }
    return false;
  };
  auto same = [&] {
    return undone(*args[x], *args[y]) ||
           (key == "add" ? cancels(*args[x], *args[y]) : same_value(*args[x], *args[y]));
  };
  for (int attempt = 0; attempt < 3 && same(); ++attempt) args[y] = live_value(args[y]->type);
  if (same()) args[y] = plain_literal(args[y]->type);
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
      scalar = call(rng_.chance(config_.p_length) ? "length" : "length_sq", std::move(a), false);
    } else if (from.is_vector_like() || from.is_matrix_like()) {
      scalar = random_component(std::move(value));
    }
    if (!scalar || scalar->type.is_bool()) return nullptr;
    return scalar->type == want ? std::move(scalar) : convert(std::move(scalar), want);
  }
  if (want.is_scalar() && model::is_integer(want.scalar) && !want.is_bool()) {
    if (from.is_scalar() && model::is_float(from.scalar)) {
      // Scaled first, as real code turns a position into a cell (int(x / h)): the data here is
      // mostly in [-1, 1], which a bare cast makes 0 (outputs blind to their inputs under --verify run).
      std::vector<ExprPtr> product;
      product.push_back(std::move(value));
      static const std::vector<std::string> kScales = {"8.0", "10.0", "16.0", "100.0"};
      product.push_back(float_literal(rng_.pick(kScales), from));
      ExprPtr scaled = call("mul", std::move(product));
      // A negative float converted to an unsigned type is undefined in C++: x86 and CUDA give
      // different values (gpu_run found `wp.uint16(v * 100.0)` differing on the GPU).
      if (!model::is_signed(want.scalar)) {
        std::vector<ExprPtr> operand;
        operand.push_back(std::move(scaled));
        scaled = call("abs", std::move(operand));
      }
      return cast(std::move(scaled), want);
    }
    if (from.is_scalar() && !from.is_bool()) return cast(std::move(value), want);
    if (from.is_vector_like() && !from.is_bool()) return convert(random_component(std::move(value)), want);
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

namespace {

// Appends the names the live statements of a block read (an update reads what it updates).
void live_reads(const Block& b, const model::Liveness& live, std::vector<std::string_view>& out) {
  for (const auto& st : b) {
    if (live.is_dead(&st) || live.is_useless_loop(&st)) continue;
    if (st.target) model::names_read(*st.target, out);
    if (st.value) model::names_read(*st.value, out);
    for (const auto& x : st.range) model::names_read(*x, out);
    for (const auto& e : st.elifs) model::names_read(*e.condition, out);
    if (st.kind == StmtKind::kAugAssign) out.push_back(st.name);
    live_reads(st.body, live, out);
    for (const auto& e : st.elifs) live_reads(e.body, live, out);
    live_reads(st.orelse, live, out);
  }
}

}  // namespace

ExprPtr Synth::consume(ExprPtr value, const Block& body, bool inputs_too) {
  // Every value the kernel computed that would reach no output joins the result (ldrgen's idea:
  // code is there for its output), brought to the result's type. Which ones: the liveness of the
  // body so far, with the result's own reads live at its end; and arrays and parameters nothing
  // reads.
  const Type t = value->type;
  if (!is_numeric_value(t) || t.kind == Kind::kTransform) return value;
  // Matrices and quaternions take other values as a scale factor; the rest by + (or * for scalars).
  const bool scales = t.kind == Kind::kQuat || t.is_matrix_like();
  // Names are looked up, never kept past this call: views into the program's own strings,
  // sorted once for binary search.
  std::vector<std::string_view> read_anywhere;
  model::names_read(*value, read_anywhere);
  std::vector<std::string_view> locals;
  for (const Variable* v : scopes_.all()) {
    if (!v->type.is_array() && !v->type.is_struct()) locals.push_back(v->name);
  }
  const model::Liveness live = model::analyze_liveness(body, locals, in_kernel_);
  live_reads(body, live, read_anywhere);
  std::sort(read_anywhere.begin(), read_anywhere.end());
  read_anywhere.erase(std::unique(read_anywhere.begin(), read_anywhere.end()), read_anywhere.end());
  auto is_read = [&](std::string_view name) { return std::binary_search(read_anywhere.begin(), read_anywhere.end(), name); };
  std::vector<std::pair<std::string, Type>> pending;
  std::vector<std::string_view> seen;  // a few names
  auto was_seen = [&](std::string_view name) { return std::find(seen.begin(), seen.end(), name) != seen.end(); };
  for (const auto& st : body) {  // top-level definitions whose value reaches nothing
    if (st.kind == StmtKind::kAssign && st.declares && live.is_dead(&st) && !is_read(st.name) && !was_seen(st.name)) {
      seen.push_back(st.name);
      const Variable* v = find_variable(st.name);
      // (a constant folded in moves nothing: x * wp.length(tangent) after tangent = wp.vec3(0.0))
      if (v && !is_random_state(*v) && !holds_constant(*model::make_var(v->name, v->type))) pending.emplace_back(st.name, v->type);
    }
  }
  // The per-thread arrays nothing reads before the parameters: with max_consumed terms at most,
  // the data each thread has of its own must not be the one left out (a kernel whose output was
  // the same for every thread: --verify run).
  for (const auto& a : arrays_) {
    if (inputs_too && in_kernel_ && !is_read(a.name) && a.per_thread && !a.output && a.type.array_ndim == tid_.size()) pending.emplace_back(a.name, a.type);
  }
  if (inputs_too) {
    for (const Variable* v : scopes_.all()) {  // parameters and struct parameters nothing reads
      const std::string& name = v->name;
      if (!v->assignable && !is_read(name) && !was_seen(name) && !tid_names(name) &&
          !host_objects_.count(name) && !is_random_state(*v)) {  // handles and random states are not numbers
        pending.emplace_back(name, v->type);
        seen.push_back(name);
      }
    }
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
    // -x + x is zero (x a copy of the stored value): the value folded in is subtracted instead.
    const char* fold = multiply ? "mul" : cancels(*args[0], *args[1]) ? "sub" : "add";
    ExprPtr combined = call(fold, std::move(args));
    if (!combined) break;
    value = std::move(combined);
    ++taken;
  }
  return value;
}

bool Synth::varies_per_thread(const Expr& value, const Block& body) const {
  // Names are views into the program's own strings, alive for the call; a handful per kernel, so a
  // vector searched in order (this runs once per stored output: a set of strings cost 9% of the
  // generator's time).
  std::vector<std::string_view> varying(tid_.begin(), tid_.end());
  for (const auto& a : arrays_) varying.emplace_back(a.name);
  auto is_varying = [&](std::string_view n) { return std::find(varying.begin(), varying.end(), n) != varying.end(); };
  std::vector<std::string_view> names;
  auto reads_varying = [&](const Expr& e) {
    names.clear();
    model::names_read(e, names);
    return std::any_of(names.begin(), names.end(), is_varying);
  };
  if (reads_varying(value)) return true;  // most outputs read the thread's data themselves
  bool changed = true;
  auto mark = [&](std::string_view name) {
    if (is_varying(name)) return;
    varying.push_back(name);
    changed = true;
  };
  std::function<void(const Block&)> visit = [&](const Block& block) {
    for (const auto& st : block) {
      switch (st.kind) {
        case StmtKind::kAssign:
        case StmtKind::kAugAssign:
          if (st.value && reads_varying(*st.value)) mark(st.name);
          break;
        case StmtKind::kUnpack:
          if (st.value && reads_varying(*st.value)) for (const auto& n : st.names) mark(n);
          break;
        case StmtKind::kStore:
        case StmtKind::kAugStore:  // v[1] = e: v varies where e does
        case StmtKind::kWhile:     // while wp.bvh_query_next(query, index): index is written by the call
          if (st.value && reads_varying(*st.value)) {
            std::vector<std::string_view> written;
            if (st.target) model::names_read(*st.target, written);
            if (st.kind == StmtKind::kWhile) model::names_read(*st.value, written);
            for (auto n : written) mark(n);
          }
          break;
        case StmtKind::kFor:
          if (std::any_of(st.range.begin(), st.range.end(), [&](const ExprPtr& x) { return reads_varying(*x); })) mark(st.name);
          break;
        default: break;
      }
      visit(st.body);
      for (const auto& e : st.elifs) visit(e.body);
      visit(st.orelse);
    }
  };
  while (changed) {
    changed = false;
    visit(body);
    if (reads_varying(value)) return true;
  }
  return false;
}

void Synth::store_consuming(Block& out, ExprPtr target, ExprPtr value) {
  if (is_constant(*value)) value = live_value(value->type);  // an output is computed, not a constant
  value = consume(std::move(value), out);
  // A value no thread computes otherwise than the others (from parameters and literals alone)
  // makes every element of the output one constant (--verify run): it takes the thread's own
  // data, else its index.
  const Type t = value->type;
  if (in_kernel_ && !tid_.empty() && is_numeric_value(t) && t.kind != Kind::kTransform && !varies_per_thread(*value, out)) {
    ExprPtr own;
    for (const auto& a : arrays_) {
      if (!own && a.per_thread && !a.output && a.type.array_ndim == tid_.size()) own = load(a);
    }
    if (!own) own = var(tid_[0]);
    const bool scales = t.kind == Kind::kQuat || t.is_matrix_like();
    if (ExprPtr term = convert(std::move(own), scales ? Type::scalar_of(t.scalar) : t)) {
      std::vector<ExprPtr> args;
      args.push_back(std::move(value));
      args.push_back(std::move(term));
      ExprPtr combined = call(scales ? "mul" : "add", std::move(args));
      value = combined ? std::move(combined) : live_value(t);
    }
  }
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

}  // namespace warpsynth::generator

// Synth: the statements templates and the statement kinds (statements.cpp) are made of: locals,
// stores, branches, loops and their early exits, atomics.
#include "generator/synth.h"
#include "generator/loop_carry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "generator/synth_common.h"

namespace warpsynth::generator {

using namespace synth_detail;

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
  const std::uint64_t constant_parts = constant_components(*value);
  std::shared_ptr<const model::Expr> copy_of;
  if (value->kind == ExprKind::kIndex || value->kind == ExprKind::kVar) copy_of = model::clone(*value);
  Stmt s;
  s.kind = StmtKind::kAssign;
  s.declares = true;
  s.name = name;
  s.value = std::move(value);
  out.push_back(std::move(s));
  declare(name, t, assignable, constant_parts, std::move(copy_of));
  return name;
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

std::string atomic_family_of(const std::string& key) {
  if (key == "atomic_add" || key == "atomic_sub") return "add";
  if (key == "atomic_min" || key == "atomic_max" || key == "atomic_and" || key == "atomic_or" || key == "atomic_xor") {
    return key.substr(std::string("atomic_").size());
  }
  return "";
}

void Synth::declare_accumulator(const std::string& name, const std::string& family) {
  for (auto& a : arrays_) {
    if (a.name != name) continue;
    a.accumulator = true;
    a.atomic_family = family;
  }
}

void Synth::atomic(Block& out, const ArrayParam& array, ExprPtr index, ExprPtr value, const std::string& key) {
  for (auto& a : arrays_) {
    if (a.name != array.name) continue;
    std::string family = atomic_family_of(key);
    if (a.atomic_family.empty()) a.atomic_family = family;
    else if (a.atomic_family != family) a.atomic_family = kMixedAtomics;
  }
  auto target = model::make_expr(ExprKind::kIndex, array.type.element());
  target->args.push_back(model::make_var(array.name, array.type));
  target->args.push_back(std::move(index));
  Stmt s;
  if (key == "atomic_add" && rng_.chance(config_.p_atomic_as_aug_store)) {
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
  bool is_continue = allow_continue && rng_.chance(config_.p_continue);
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
  const double first = config_.p_loop_exit_first, last = first + config_.p_loop_exit_last;
  if (r < first) body.push_back(loop_exit(allow_continue));
  statements(body, rng_.uniform(1, 3), nesting + 1);
  if (r >= first && r < last) body.push_back(loop_exit(allow_continue));
}

void Synth::for_loop(Block& out, int nesting) {
  Stmt s;
  s.kind = StmtKind::kFor;
  int trip = rng_.uniform(1, config_.max_loop_trip);
  double r = rng_.unit();
  const double count_only = config_.p_range_count, start_stop = count_only + config_.p_range_start_stop;
  const double stepped = start_stop + config_.p_range_step;
  if (r < count_only) {
    s.range.push_back(int_literal(trip));
  } else if (r < start_stop) {
    int start = rng_.uniform(0, 4);
    s.range.push_back(int_literal(start));
    s.range.push_back(int_literal(start + trip));
  } else if (r < stepped) {
    int step = rng_.chance(config_.p_range_step_negative) ? -1 : rng_.uniform(2, 3);
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
  // A dynamic loop whose body uses a carried value otherwise than by accumulating it has a wrong
  // gradient in Warp (gen/loop_carry.h): its bounds become literals, and Warp unrolls it.
  if (s.range.size() == 2 && s.range[0]->kind == ExprKind::kVar && uses_carried_values(s.body)) {
    s.range.clear();
    s.range.push_back(int_literal(trip));
  }
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
  ++while_depth_;
  loop_body(s.body, nesting, false);  // no `continue`: it would skip the counter's increment
  --while_depth_;
  pop_scope();
  Stmt inc;
  inc.kind = StmtKind::kAugAssign;
  inc.name = counter;
  inc.op = "+=";
  inc.value = int_literal(1);
  s.body.push_back(std::move(inc));
  if (uses_carried_values(s.body)) {
    // As for a dynamic `for` (gen/loop_carry.h): a loop of literal bounds, which Warp unrolls.
    Stmt unrolled;
    unrolled.kind = StmtKind::kFor;
    unrolled.name = fresh("it");
    unrolled.range.push_back(model::clone(*s.value->args[1]));
    unrolled.body = std::move(s.body);
    out.push_back(std::move(unrolled));
    return;
  }
  out.push_back(std::move(s));
}

}  // namespace warpsynth::generator

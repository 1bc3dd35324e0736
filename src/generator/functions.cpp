// Synth: generated @wp.funcs and calls to them; the calls of the API families (tiles, queries).
#include "generator/synth.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "generator/synth_common.h"
#include "model/liveness.h"

namespace warpsynth::generator {

using namespace synth_detail;

void Synth::make_func(const std::string& name, const std::vector<Type>& param_types, const Type& returns) {
  plan_func(name, param_types, returns);
  build_func(static_cast<int>(program_.funcs.size()) - 1);
}

void Synth::plan_func(const std::string& name, const std::vector<Type>& param_types, const Type& returns) {
  model::FuncDef f;
  f.name = name;
  f.returns = returns;
  for (const Type& t : param_types) f.params.push_back({"", t});  // named when built
  program_.funcs.push_back(std::move(f));
  func_built_.push_back(false);
}

const model::FuncDef& Synth::use_func(int index) {
  if (!func_built_[size_t(index)]) build_func(index);
  return program_.funcs[size_t(index)];
}

void Synth::build_func(int index) {
  func_built_[size_t(index)] = true;
  // A func may be built while the kernel (or another func) is half made: everything the body's
  // generation reads or changes is set aside and put back.
  auto saved_scopes = std::move(scopes_);
  auto saved_names = std::move(used_names_);
  auto saved_unread = std::move(unread_);
  const bool was_in_kernel = in_kernel_, was_forced = force_live_;
  const int saved_limit = func_limit_;
  const std::string name = program_.funcs[size_t(index)].name;
  const Type returns = program_.funcs[size_t(index)].returns;
  std::vector<model::Param> params = program_.funcs[size_t(index)].params;
  scopes_.reset();
  used_names_.clear();
  unread_.clear();
  used_names_[name] = 1;
  const char* param_names[] = {"a", "b", "c", "x", "y", "v", "s"};
  for (auto& p : params) {
    p.name = fresh(param_names[(size_t(&p - params.data()) + size_t(rng_.uniform(0, 6))) % 7]);
    declare(p.name, p.type, false);
  }
  in_kernel_ = false;
  force_live_ = false;
  func_limit_ = index;  // a func calls only funcs defined before it
  Block body;
  statements(body, rng_.uniform(0, 2), config_.max_nesting - 1);
  Stmt ret;
  ret.kind = StmtKind::kReturn;
  // The result reads every parameter: a helper that ignores its inputs computes a constant.
  ret.value = consume(expr(returns, 0), body);
  // consume() leaves out a parameter that the body reads, but a body whose statements reach no
  // result is pruned later: `def shade(b): return -1.3` made every output of its tile_map the same
  // (--verify run). A result that reads no parameter takes the first one in.
  const bool reads_a_param = std::any_of(params.begin(), params.end(), [&](const model::Param& p) {
    return model::reads_name(*ret.value, p.name);
  });
  if (!reads_a_param && !params.empty()) {
    if (ExprPtr term = convert(model::make_var(params[0].name, params[0].type), returns)) {
      std::vector<ExprPtr> sum;
      sum.push_back(std::move(ret.value));
      sum.push_back(std::move(term));
      ret.value = call(returns.is_matrix_like() || returns.kind == Kind::kQuat ? "mul" : "add", std::move(sum));
    }
  }
  body.push_back(std::move(ret));
  in_kernel_ = was_in_kernel;
  force_live_ = was_forced;
  func_limit_ = saved_limit;
  scopes_ = std::move(saved_scopes);
  used_names_ = std::move(saved_names);
  unread_ = std::move(saved_unread);
  used_names_[name] = 1;
  program_.funcs[size_t(index)].params = std::move(params);
  program_.funcs[size_t(index)].body = std::move(body);
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

// The funcs a kernel may call are planned here (names and types) and built when first called:
// most are never called, and building them was a fifth of the generator's statements.
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
    plan_func(name, params, returns);
    if (rng_.chance(config_.p_overload)) {
      // Same name, a first parameter of another kind: Warp picks the overload by argument types.
      std::vector<Type> other = params;
      for (int attempt = 0; attempt < 8 && other[0].kind == params[0].kind; ++attempt) other[0] = pick_local_type();
      if (other[0].kind != params[0].kind && !other[0].is_bool()) {
        plan_func(name, other, rng_.chance(config_.p_overload_same_return) ? returns : pick_numeric_type());
      }
    }
  }
  func_limit_ = static_cast<int>(program_.funcs.size());
}

ExprPtr Synth::func_call(const Type& want, int depth) {
  std::vector<int> candidates;
  for (int i = 0; i < func_limit_; ++i) {
    if (program_.funcs[i].returns == want) candidates.push_back(i);
  }
  if (candidates.empty()) return nullptr;
  int f = rng_.pick(candidates);
  const model::FuncDef& fd = use_func(f);
  auto e = model::make_expr(ExprKind::kFuncCall, want, fd.name, f);
  for (const auto& p : fd.params) e->args.push_back(expr(p.type, depth + 1));
  if (!e->args.empty() && std::all_of(e->args.begin(), e->args.end(), [](const ExprPtr& a) { return is_constant(*a); })) {
    size_t k = size_t(rng_.uniform(0, int(e->args.size()) - 1));
    e->args[k] = live_value(e->args[k]->type);  // a helper called on constants computes a constant
  }
  return e;
}

}  // namespace warpsynth::generator

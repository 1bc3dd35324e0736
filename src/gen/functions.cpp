// Synth: generated @wp.funcs and calls to them; the calls of the API families (tiles, queries).
#include "gen/synth.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "gen/synth_common.h"

namespace warpsynth::gen {

using namespace synth_detail;

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
        make_func(name, other, rng_.chance(config_.p_overload_same_return) ? returns : pick_numeric_type());
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
  auto e = model::make_expr(ExprKind::kFuncCall, want, program_.funcs[f].name, f);
  for (const auto& p : program_.funcs[f].params) e->args.push_back(expr(p.type, depth + 1));
  if (!e->args.empty() && std::all_of(e->args.begin(), e->args.end(), [](const ExprPtr& a) { return is_constant(*a); })) {
    size_t k = size_t(rng_.uniform(0, int(e->args.size()) - 1));
    e->args[k] = live_value(e->args[k]->type);  // a helper called on constants computes a constant
  }
  return e;
}

}  // namespace warpsynth::gen

#include "generator/loop_carry.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "model/liveness.h"

namespace warpsynth::generator {
namespace {

bool carries_gradient(const model::Type& t) { return !t.is_array() && !t.is_int() && !t.is_bool(); }

// The variable a statement updates in place (a component store, `v[1] = e`), or empty.
std::string_view component_base(const model::Stmt& s) {
  if ((s.kind != model::StmtKind::kStore && s.kind != model::StmtKind::kAugStore) || !s.target) return {};
  const model::Expr* e = s.target.get();
  while (e->kind == model::ExprKind::kComponent && !e->args.empty()) e = e->args[0].get();
  if (e == s.target.get() || e->kind != model::ExprKind::kVar || !carries_gradient(e->type)) return {};
  return e->text;
}

}  // namespace

bool uses_carried_values(const model::Block& body, std::initializer_list<std::string_view> loop_locals) {
  std::vector<std::string_view> declared(loop_locals), carried;
  bool nonlinear = false;
  model::for_each_stmt(body, [&](const model::Stmt& s) {
    if (s.kind == model::StmtKind::kFor) declared.push_back(s.name);
    if (s.kind == model::StmtKind::kUnpack) declared.insert(declared.end(), s.names.begin(), s.names.end());
    if (s.kind == model::StmtKind::kAssign && s.declares) declared.push_back(s.name);
  });
  auto is_declared = [&](std::string_view n) { return std::find(declared.begin(), declared.end(), n) != declared.end(); };
  model::for_each_stmt(body, [&](const model::Stmt& s) {
    bool assigns = (s.kind == model::StmtKind::kAssign && !s.declares) || s.kind == model::StmtKind::kAugAssign;
    if (assigns && s.value && carries_gradient(s.value->type) && !is_declared(s.name)) {
      carried.push_back(s.name);
      if (s.kind == model::StmtKind::kAssign || (s.op != "+=" && s.op != "-=")) nonlinear = true;
    }
    if (auto base = component_base(s); !base.empty() && !is_declared(base)) {
      carried.push_back(base);
      nonlinear = true;
    }
    // An in-place builtin (wp.transform_set_translation(X, p)) updates its first argument.
    if (s.kind == model::StmtKind::kExpr && s.value && s.value->kind == model::ExprKind::kCall && !s.value->args.empty()) {
      const model::Expr& first = *s.value->args[0];
      if (first.kind == model::ExprKind::kVar && carries_gradient(first.type) && !is_declared(first.text)) nonlinear = true;
    }
  });
  if (nonlinear) return true;
  if (carried.empty()) return false;
  std::vector<std::string_view> read;
  model::for_each_expr(body, [&](const model::Expr& e) {
    if (e.kind == model::ExprKind::kVar) read.push_back(e.text);
  });
  // Component stores of carried variables were counted above; any read left is a use of a carried value.
  return std::any_of(carried.begin(), carried.end(),
                     [&](std::string_view c) { return std::find(read.begin(), read.end(), c) != read.end(); });
}

}  // namespace warpsynth::generator

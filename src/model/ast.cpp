#include "model/ast.h"

namespace warpsynth::model {

ExprPtr make_expr(ExprKind kind, Type type, std::string text, int signature) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->type = type;
  e->text = std::move(text);
  e->signature = signature;
  return e;
}

ExprPtr make_var(const std::string& name, Type type) { return make_expr(ExprKind::kVar, type, name); }

ExprPtr make_literal(const std::string& text, Type type) { return make_expr(ExprKind::kLiteral, type, text); }

ExprPtr clone(const Expr& expr) {
  auto copy = make_expr(expr.kind, expr.type, expr.text, expr.signature);
  copy->args.reserve(expr.args.size());
  for (const auto& a : expr.args) copy->args.push_back(clone(*a));
  return copy;
}

bool same_expr(const Expr& a, const Expr& b) {
  if (a.kind != b.kind || !(a.type == b.type) || a.signature != b.signature || a.text != b.text ||
      a.args.size() != b.args.size()) {
    return false;
  }
  for (size_t i = 0; i < a.args.size(); ++i) {
    if (!same_expr(*a.args[i], *b.args[i])) return false;
  }
  return true;
}

namespace {

template <typename E, typename B, typename Fn>
void visit_expr(E& e, const Fn& fn) {
  fn(e);
  for (auto& a : e.args) visit_expr<E, B>(*a, fn);
}

template <typename E, typename B, typename Fn>
void visit_block(B& block, const Fn& fn) {
  for (auto& s : block) {
    if (s.target) visit_expr<E, B>(*s.target, fn);
    if (s.value) visit_expr<E, B>(*s.value, fn);
    for (auto& r : s.range) visit_expr<E, B>(*r, fn);
    visit_block<E, B>(s.body, fn);
    for (auto& e : s.elifs) {
      visit_expr<E, B>(*e.condition, fn);
      visit_block<E, B>(e.body, fn);
    }
    visit_block<E, B>(s.orelse, fn);
  }
}

}  // namespace

void for_each_expr(Block& block, const std::function<void(Expr&)>& fn) { visit_block<Expr, Block>(block, fn); }

void for_each_expr(const Block& block, const std::function<void(const Expr&)>& fn) {
  visit_block<const Expr, const Block>(block, fn);
}

void for_each_stmt(const Block& block, const std::function<void(const Stmt&)>& fn) {
  for (const auto& s : block) {
    fn(s);
    for_each_stmt(s.body, fn);
    for (const auto& e : s.elifs) for_each_stmt(e.body, fn);
    for_each_stmt(s.orelse, fn);
  }
}

}  // namespace warpsynth::model

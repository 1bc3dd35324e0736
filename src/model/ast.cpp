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

ExprPtr negation_of(ExprPtr condition) {
  static const std::pair<const char*, const char*> kOpposites[] = {{"<", ">="}, {">=", "<"}, {">", "<="},
                                                                    {"<=", ">"}, {"==", "!="}, {"!=", "=="}};
  if (condition->kind == ExprKind::kCompare) {
    for (const auto& [op, opposite] : kOpposites) {
      if (condition->text == op) {
        condition->text = opposite;
        return condition;
      }
    }
  }
  if (condition->kind == ExprKind::kNot) return std::move(condition->args[0]);
  if (condition->kind == ExprKind::kCall && condition->text == "unot" && condition->args.size() == 1 &&
      condition->args[0]->type.is_bool()) {
    return std::move(condition->args[0]);  // not wp.unot(c) is c
  }
  if (condition->kind == ExprKind::kBoolOp && (condition->text == "and" || condition->text == "or")) {
    condition->text = condition->text == "and" ? "or" : "and";  // De Morgan
    for (auto& operand : condition->args) operand = negation_of(std::move(operand));
    return condition;
  }
  ExprPtr negated = make_expr(ExprKind::kNot, condition->type);
  negated->args.push_back(std::move(condition));
  return negated;
}

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

}  // namespace warpsynth::model

// gen/loop_carry.h: which dynamic loop bodies use a carried value the way Warp's reverse pass
// gets wrong. Hand-built bodies with known answers (the answers were checked against Warp's
// tape and finite differences: docs/verification.md, grad).
#include "generator/loop_carry.h"

#include <gtest/gtest.h>

using namespace warpsynth;
using model::ExprKind;
using model::ExprPtr;
using model::Stmt;
using model::StmtKind;
using model::Type;

namespace {

const Type kFloat = Type::scalar_of(model::Scalar::kFloat32);
const Type kInt = Type::scalar_of(model::Scalar::kInt32);
const Type kVec3 = Type::vector_of(3, model::Scalar::kFloat32);

ExprPtr var(const std::string& name, Type t = kFloat) { return model::make_var(name, t); }

ExprPtr mul(ExprPtr a, ExprPtr b) {
  auto e = model::make_expr(ExprKind::kBinary, a->type, "*");
  e->args.push_back(std::move(a));
  e->args.push_back(std::move(b));
  return e;
}

Stmt update(const std::string& name, const char* op, ExprPtr value) {
  Stmt s;
  s.kind = StmtKind::kAugAssign;
  s.name = name;
  s.op = op;
  s.value = std::move(value);
  return s;
}

Stmt assign(const std::string& name, ExprPtr value, bool declares) {
  Stmt s;
  s.kind = StmtKind::kAssign;
  s.name = name;
  s.declares = declares;
  s.value = std::move(value);
  return s;
}

model::Block block(std::vector<Stmt>&& stmts) {
  model::Block b;
  for (auto& s : stmts) b.push_back(std::move(s));
  return b;
}

}  // namespace

TEST(LoopCarry, AnAccumulationIsDifferentiable) {
  // acc += x * y
  std::vector<Stmt> body;
  body.push_back(update("acc", "+=", mul(var("x"), var("y"))));
  EXPECT_FALSE(generator::uses_carried_values(block(std::move(body))));
}

TEST(LoopCarry, ALocalOfTheBodyIsNotCarried) {
  // t = acc_in * x (declared here); t = t * t; acc += t
  std::vector<Stmt> body;
  body.push_back(assign("t", mul(var("x"), var("x")), true));
  body.push_back(assign("t", mul(var("t"), var("t")), false));
  body.push_back(update("acc", "-=", var("t")));
  EXPECT_FALSE(generator::uses_carried_values(block(std::move(body))));
}

TEST(LoopCarry, AProductWithACarriedValueIsNot) {
  // acc *= x
  std::vector<Stmt> a;
  a.push_back(update("acc", "*=", var("x")));
  EXPECT_TRUE(generator::uses_carried_values(block(std::move(a))));
  // acc = acc * x (a reassignment)
  std::vector<Stmt> b;
  b.push_back(assign("acc", mul(var("acc"), var("x")), false));
  EXPECT_TRUE(generator::uses_carried_values(block(std::move(b))));
}

TEST(LoopCarry, ReadingACarriedValueElsewhereIsNot) {
  // s += a * x; a += 1.0  (a is carried and read by another statement)
  std::vector<Stmt> body;
  body.push_back(update("s", "+=", mul(var("a"), var("x"))));
  body.push_back(update("a", "+=", model::make_literal("1.0", kFloat)));
  EXPECT_TRUE(generator::uses_carried_values(block(std::move(body))));
}

TEST(LoopCarry, IntegersCarryNoGradient) {
  // count += 1; s += x * float(count) is fine: count is an int
  std::vector<Stmt> body;
  body.push_back(update("count", "+=", model::make_literal("1", kInt)));
  auto cast = model::make_expr(ExprKind::kCast, kFloat);
  cast->args.push_back(var("count", kInt));
  body.push_back(update("s", "+=", mul(var("x"), std::move(cast))));
  EXPECT_FALSE(generator::uses_carried_values(block(std::move(body))));
}

TEST(LoopCarry, AComponentOverwrittenInPlaceIsNot) {
  // v[1] = x
  Stmt s;
  s.kind = StmtKind::kStore;
  s.target = model::make_expr(ExprKind::kComponent, kFloat);
  s.target->args.push_back(var("v", kVec3));
  s.target->args.push_back(model::make_literal("1", kInt));
  s.value = var("x");
  std::vector<Stmt> body;
  body.push_back(std::move(s));
  EXPECT_TRUE(generator::uses_carried_values(block(std::move(body))));
}

// Synth::constant_components: which components of a vector or matrix value are known constants,
// so that a component read picks another (a literal slot read made whole outputs constant under
// --verify run).
#include <gtest/gtest.h>

#include "generator/synth.h"

using namespace warpsynth;
using model::ExprKind;
using model::ExprPtr;
using model::Type;

namespace {

const Type kFloat = Type::scalar_of(model::Scalar::kFloat32);
const Type kVec3 = Type::vector_of(3, model::Scalar::kFloat32);
const Type kMat22 = Type::matrix_of(2, 2, model::Scalar::kFloat32);

ExprPtr lit(const char* text) { return model::make_literal(text, kFloat); }

ExprPtr node(ExprKind kind, Type type, const char* text, std::vector<ExprPtr> args) {
  auto e = model::make_expr(kind, type, text);
  for (auto& a : args) e->args.push_back(std::move(a));
  return e;
}

template <typename... A>
std::vector<ExprPtr> list(A... a) {
  std::vector<ExprPtr> v;
  (v.push_back(std::move(a)), ...);
  return v;
}

ExprPtr vec3(ExprPtr x, ExprPtr y, ExprPtr z) { return node(ExprKind::kConstruct, kVec3, "", list(std::move(x), std::move(y), std::move(z))); }

}  // namespace

TEST(ConstantComponents, LiteralSlotsOfAConstructorAreConstant) {
  auto v = vec3(model::make_var("r", kFloat), lit("0.9"), lit("1.87"));
  EXPECT_EQ(generator::Synth::constant_components(*v), 0b110u);
  EXPECT_EQ(generator::Synth::constant_components(*vec3(lit("1.0"), lit("2.0"), lit("3.0"))), 0b111u);
  EXPECT_EQ(generator::Synth::constant_components(*model::make_var("v", kVec3)), 0u);
}

TEST(ConstantComponents, OffDiagonalsOfDiagAreConstant) {
  auto d = node(ExprKind::kCall, kMat22, "diag", list(model::make_var("v", Type::vector_of(2, model::Scalar::kFloat32))));
  EXPECT_EQ(generator::Synth::constant_components(*d), 0b0110u);  // [0,1] and [1,0]
}

TEST(ConstantComponents, ComponentwiseOperationsKeepWhatIsConstantInEveryOperand) {
  // (wp.vec3(r, 0.9, 1.87) / 7.0): components 1 and 2 stay constant
  auto scaled = node(ExprKind::kBinary, kVec3, "/", list(vec3(model::make_var("r", kFloat), lit("0.9"), lit("1.87")), lit("7.0")));
  EXPECT_EQ(generator::Synth::constant_components(*scaled), 0b110u);
  // ... divided by a variable: nothing is known
  auto by_var = node(ExprKind::kBinary, kVec3, "/", list(vec3(model::make_var("r", kFloat), lit("0.9"), lit("1.87")), model::make_var("s", kFloat)));
  EXPECT_EQ(generator::Synth::constant_components(*by_var), 0u);
  // a sum with a vector varying in component 1 only
  auto sum = node(ExprKind::kBinary, kVec3, "+",
                  list(vec3(model::make_var("r", kFloat), lit("0.9"), lit("1.87")), vec3(lit("1.0"), model::make_var("q", kFloat), lit("2.0"))));
  EXPECT_EQ(generator::Synth::constant_components(*sum), 0b100u);
  // a matrix times a vector mixes components: nothing is known
  auto mv = node(ExprKind::kBinary, kVec3, "*", list(model::make_var("M", Type::matrix_of(3, 3, model::Scalar::kFloat32)), vec3(lit("1.0"), lit("2.0"), model::make_var("q", kFloat))));
  EXPECT_EQ(generator::Synth::constant_components(*mv), 0u);
}

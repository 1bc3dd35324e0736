// The type checker rejects what Warp would reject: each case breaks one rule.
#include "model/type_checker.h"

#include <gtest/gtest.h>

using namespace warpsynth;
using namespace warpsynth::model;

namespace {

const catalog::Catalog& test_catalog() {
  static const catalog::Catalog catalog = catalog::Catalog::load(WARPSYNTH_TEST_CATALOG);
  return catalog;
}

const Type kF = Type::scalar_of(Scalar::kFloat32);
const Type kI = Type::scalar_of(Scalar::kInt32);
const Type kV3 = Type::vector_of(3, Scalar::kFloat32);

Program kernel_with(Block body, std::vector<Param> params = {{"x", Type::array_of(kF, 1)}, {"s", kF}}) {
  Program p;
  p.kernel.name = "k";
  p.kernel.params = std::move(params);
  p.kernel.body = std::move(body);
  return p;
}

Stmt assign(const std::string& name, ExprPtr value, bool declares = true) {
  Stmt s;
  s.kind = StmtKind::kAssign;
  s.declares = declares;
  s.name = name;
  s.value = std::move(value);
  return s;
}

ExprPtr call(const std::string& key, std::vector<ExprPtr> args, Type result) {
  std::vector<Type> types;
  for (const auto& a : args) types.push_back(a->type);
  auto sig = test_catalog().find(key, types);
  auto e = make_expr(ExprKind::kCall, result, key, sig ? *sig : 12345678);
  e->args = std::move(args);
  return e;
}

std::vector<TypeError> check(Block body) { return check_program(kernel_with(std::move(body)), test_catalog()); }

template <typename... A>
std::vector<ExprPtr> list(A... a) {
  std::vector<ExprPtr> v;
  (v.push_back(std::move(a)), ...);
  return v;
}

}  // namespace

TEST(TypeChecker, AcceptsAWellTypedKernel) {
  Block b;
  b.push_back(assign("t", call("sin", list(make_var("s", kF)), kF)));
  b.push_back(assign("t", call("cos", list(make_var("t", kF)), kF), false));
  auto errors = check(std::move(b));
  EXPECT_TRUE(errors.empty()) << errors[0].message;
}

TEST(TypeChecker, RejectsEachBrokenRule) {
  auto expect_error = [](Block b, const std::string& fragment) {
    auto errors = check(std::move(b));
    ASSERT_FALSE(errors.empty()) << "no error, expected: " << fragment;
    EXPECT_NE(errors[0].message.find(fragment), std::string::npos) << errors[0].message;
  };
  {
    Block b;
    b.push_back(assign("t", make_var("nowhere", kF)));
    expect_error(std::move(b), "not declared");
  }
  {
    Block b;
    b.push_back(assign("t", call("sin", list(make_var("s", kF)), kV3)));  // wrong result type
    expect_error(std::move(b), "result is float32");
  }
  {
    Block b;
    b.push_back(assign("t", call("length", list(make_var("s", kF)), kF)));  // no such overload
    expect_error(std::move(b), "no such catalog signature");
  }
  {
    Block b;
    b.push_back(assign("t", make_var("s", kF)));
    b.push_back(assign("t", make_literal("1", kI), false));  // type changes
    expect_error(std::move(b), "reassigned with another type");
  }
  {
    Block b;
    b.push_back(assign("t", make_literal("1", kF)));  // float literal without a point
    expect_error(std::move(b), "does not spell");
  }
  {
    Block b;
    auto index = make_expr(ExprKind::kIndex, kF);
    index->args = list(make_var("x", Type::array_of(kF, 1)), make_var("s", kF));  // float index
    b.push_back(assign("t", std::move(index)));
    expect_error(std::move(b), "index is not int32");
  }
  {
    Block b;
    Stmt brk;
    brk.kind = StmtKind::kBreak;
    b.push_back(std::move(brk));
    expect_error(std::move(b), "outside a loop");
  }
  {
    Block b;
    Stmt ret;
    ret.kind = StmtKind::kReturn;
    ret.value = make_var("s", kF);
    b.push_back(std::move(ret));
    expect_error(std::move(b), "a kernel returns no value");
  }
  {
    Block b;
    Stmt cond;
    cond.kind = StmtKind::kIf;
    cond.value = make_var("s", kF);  // not a bool
    b.push_back(std::move(cond));
    expect_error(std::move(b), "not bool");
  }
  {
    Block b;
    auto atomic = make_expr(ExprKind::kCall, kF, "atomic_add");
    atomic->args = list(make_var("x", Type::array_of(kF, 1)), make_literal("0", kI), make_literal("1", kI));
    Stmt s;
    s.kind = StmtKind::kExpr;
    s.value = std::move(atomic);
    b.push_back(std::move(s));
    expect_error(std::move(b), "element type");
  }
  {
    Block inner;
    inner.push_back(assign("t", make_var("s", kF)));
    Stmt cond;
    cond.kind = StmtKind::kIf;
    cond.value = make_literal("True", Type::scalar_of(Scalar::kBool));
    cond.body = std::move(inner);
    Block b;
    b.push_back(std::move(cond));
    b.push_back(assign("u", make_var("t", kF)));  // t is local to the if block
    expect_error(std::move(b), "not declared");
  }
}

TEST(TypeChecker, FuncsMustReturnTheirTypeAndBeDefinedFirst) {
  Program p = kernel_with({});
  FuncDef f;
  f.name = "f";
  f.params = {{"a", kF}};
  f.returns = kV3;
  Stmt ret;
  ret.kind = StmtKind::kReturn;
  ret.value = make_var("a", kF);
  f.body.push_back(std::move(ret));
  p.funcs.push_back(std::move(f));
  auto errors = check_program(p, test_catalog());
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].message.find("declared vec3f"), std::string::npos) << errors[0].message;

  Program q = kernel_with({});
  FuncDef g;
  g.name = "g";
  g.returns = kF;
  auto self_call = make_expr(ExprKind::kFuncCall, kF, "g", 0);
  Stmt r;
  r.kind = StmtKind::kReturn;
  r.value = std::move(self_call);
  g.body.push_back(std::move(r));
  q.funcs.push_back(std::move(g));
  errors = check_program(q, test_catalog());
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].message.find("not defined before"), std::string::npos) << errors[0].message;
}

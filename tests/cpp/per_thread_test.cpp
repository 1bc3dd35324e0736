// gen/per_thread.h: does a kernel's output differ between threads? Hand-built kernels with known
// answers, and the generator's output (which draws again a kernel that fails it).
#include "generator/per_thread.h"

#include <gtest/gtest.h>

#include "generator/generator.h"
#include "generator/rng.h"

using namespace warpsynth;
using model::ExprKind;
using model::ExprPtr;
using model::Stmt;
using model::StmtKind;
using model::Type;

namespace {

const Type kFloat = Type::scalar_of(model::Scalar::kFloat32);
const Type kInt = Type::scalar_of(model::Scalar::kInt32);
const Type kArray = Type::array_of(kFloat, 1);

ExprPtr var(const std::string& name, Type t = kFloat) { return model::make_var(name, t); }
ExprPtr lit(const char* text) { return model::make_literal(text, kFloat); }

ExprPtr add(ExprPtr a, ExprPtr b) {
  auto e = model::make_expr(ExprKind::kBinary, kFloat, "+");
  e->args.push_back(std::move(a));
  e->args.push_back(std::move(b));
  return e;
}

ExprPtr element(const std::string& array, ExprPtr index) {
  auto e = model::make_expr(ExprKind::kIndex, kFloat);
  e->args.push_back(var(array, kArray));
  e->args.push_back(std::move(index));
  return e;
}

Stmt assign(const std::string& name, ExprPtr value) {
  Stmt s;
  s.kind = StmtKind::kAssign;
  s.name = name;
  s.declares = true;
  s.value = std::move(value);
  return s;
}

Stmt store(ExprPtr value) {
  Stmt s;
  s.kind = StmtKind::kStore;
  s.target = element("out", var("i", kInt));
  s.value = std::move(value);
  return s;
}

// def k(x, scale, out): i = wp.tid(); <body>
model::KernelDef kernel(std::vector<Stmt> body) {
  model::KernelDef k;
  k.name = "k";
  k.params = {{"x", kArray}, {"scale", kFloat}, {"out", kArray}};
  k.body.push_back(assign("i", model::make_expr(ExprKind::kCall, kInt, "tid")));
  for (auto& s : body) k.body.push_back(std::move(s));
  return k;
}

std::vector<Stmt> stmts(Stmt a) {
  std::vector<Stmt> v;
  v.push_back(std::move(a));
  return v;
}

TEST(PerThread, AParameterStoredByEveryThreadIsNot) {
  // out[i] = scale + 1.0
  EXPECT_FALSE(generator::stores_per_thread_values(kernel(stmts(store(add(var("scale"), lit("1.0")))))));
}

TEST(PerThread, AnElementLoadedAtTheThreadIndexIs) {
  // out[i] = x[i] + scale
  EXPECT_TRUE(generator::stores_per_thread_values(kernel(stmts(store(add(element("x", var("i", kInt)), var("scale")))))));
}

TEST(PerThread, ALocalComputedFromTheThreadIs) {
  // v = x[i]; w = v + 1.0; out[i] = w
  std::vector<Stmt> body;
  body.push_back(assign("v", element("x", var("i", kInt))));
  body.push_back(assign("w", add(var("v"), lit("1.0"))));
  body.push_back(store(var("w")));
  EXPECT_TRUE(generator::stores_per_thread_values(kernel(std::move(body))));
}

TEST(PerThread, AConstantStoredUnderAPerThreadConditionIs) {
  // if x[i] > 0.5: out[i] = 2.0
  Stmt branch;
  branch.kind = StmtKind::kIf;
  branch.value = model::make_expr(ExprKind::kCompare, Type::scalar_of(model::Scalar::kBool), ">");
  branch.value->args.push_back(element("x", var("i", kInt)));
  branch.value->args.push_back(lit("0.5"));
  branch.body.push_back(store(lit("2.0")));
  EXPECT_TRUE(generator::stores_per_thread_values(kernel(stmts(std::move(branch)))));
}

TEST(PerThread, ACountAtAPerThreadIndexIs) {
  // bins[int(x[i])] += 1.0: a histogram; the value is a constant, where it lands is not
  Stmt s;
  s.kind = StmtKind::kAugStore;
  s.op = "+=";
  auto cast = model::make_expr(ExprKind::kCast, kInt);
  cast->args.push_back(element("x", var("i", kInt)));
  s.target = element("out", std::move(cast));
  s.value = lit("1.0");
  EXPECT_TRUE(generator::stores_per_thread_values(kernel(stmts(std::move(s)))));
}

TEST(PerThread, AnElementAtAFixedIndexIsNot) {
  // out[i] = x[3]
  EXPECT_FALSE(generator::stores_per_thread_values(kernel(stmts(store(element("x", model::make_literal("3", kInt)))))));
}

TEST(PerThread, GeneratedKernelsStorePerThreadValues) {
  auto catalog = catalog::Catalog::load(WARPSYNTH_TEST_CATALOG);
  generator::Generator generator(catalog, generator::GeneratorConfig::defaults());
  for (std::uint64_t i = 0; i < 1000; ++i) {
    auto k = generator.generate(generator::sample_seed(11, i));
    ASSERT_TRUE(generator::stores_per_thread_values(k.program.kernel)) << "sample " << i << "\n" << k.python;
  }
}

}  // namespace

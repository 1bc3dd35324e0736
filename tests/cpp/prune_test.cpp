// Dead-code elimination (gen/prune.h over model/liveness.h): hand-built programs with known
// answers, and the generator's output over thousands of seeds.
#include "generator/prune.h"

#include <set>

#include <gtest/gtest.h>

#include "generator/generator.h"
#include "generator/rng.h"
#include "model/liveness.h"
#include "model/printer.h"
#include "model/type_checker.h"

using namespace warpsynth;
using model::Block;
using model::ExprKind;
using model::ExprPtr;
using model::Stmt;
using model::StmtKind;
using model::Type;

namespace {

const Type kFloat = Type::scalar_of(model::Scalar::kFloat32);
const Type kInt = Type::scalar_of(model::Scalar::kInt32);
const Type kArray = Type::array_of(kFloat, 1);

Stmt assign(const std::string& name, ExprPtr value, bool declares = true) {
  Stmt s;
  s.kind = StmtKind::kAssign;
  s.name = name;
  s.declares = declares;
  s.value = std::move(value);
  return s;
}

ExprPtr binary(const char* op, ExprPtr a, ExprPtr b) {
  auto e = model::make_expr(ExprKind::kBinary, kFloat, op);
  e->args.push_back(std::move(a));
  e->args.push_back(std::move(b));
  return e;
}

ExprPtr element(const std::string& array) {
  auto e = model::make_expr(ExprKind::kIndex, kFloat);
  e->args.push_back(model::make_var(array, kArray));
  e->args.push_back(model::make_var("i", kInt));
  return e;
}

Stmt store(const std::string& array, ExprPtr value) {
  Stmt s;
  s.kind = StmtKind::kStore;
  s.target = element(array);
  s.value = std::move(value);
  return s;
}

// def k(x, y): i = wp.tid(); <body>; y[i] = <out>
model::Program kernel(Block body) {
  model::Program p;
  p.kernel.name = "k";
  p.kernel.params = {{"x", kArray}, {"unused", kFloat}, {"y", kArray}};
  Block full;
  auto tid = model::make_expr(ExprKind::kCall, kInt, "tid");
  full.push_back(assign("i", std::move(tid)));
  for (auto& s : body) full.push_back(std::move(s));
  p.kernel.body = std::move(full);
  return p;
}

std::string pruned(model::Program p) {
  std::vector<generator::ArrayParam> arrays = {{"x", kArray, true, {8}}, {"y", kArray, true, {8}}};
  generator::prune(p, arrays);
  return model::print_python(p);
}

}  // namespace

TEST(Prune, RemovesADeadChainAndAnUnusedArgumentAndKeepsWhatReachesTheOutput) {
  Block body;
  body.push_back(assign("a", element("x")));
  body.push_back(assign("b", binary("*", model::make_var("a", kFloat), model::make_literal("2.0", kFloat))));
  body.push_back(assign("c", element("x")));
  body.push_back(store("y", model::make_var("c", kFloat)));
  std::string python = pruned(kernel(std::move(body)));
  EXPECT_EQ(python.find("a = "), std::string::npos) << python;
  EXPECT_EQ(python.find("b = "), std::string::npos) << python;
  EXPECT_NE(python.find("c = x[i]"), std::string::npos) << python;
  EXPECT_NE(python.find("y[i] = c"), std::string::npos) << python;
  EXPECT_EQ(python.find("unused"), std::string::npos) << python;
}

// acc = 0.0; for j in range(4): acc += x[i]
Block accumulate() {
  Block body;
  body.push_back(assign("acc", model::make_literal("0.0", kFloat)));
  Stmt loop;
  loop.kind = StmtKind::kFor;
  loop.name = "j";
  loop.range.push_back(model::make_literal("4", kInt));
  Stmt update;
  update.kind = StmtKind::kAugAssign;
  update.name = "acc";
  update.op = "+=";
  update.value = element("x");
  loop.body.push_back(std::move(update));
  body.push_back(std::move(loop));
  return body;
}

TEST(Prune, RemovesALoopWhoseUpdateNobodyReads) {
  Block body = accumulate();
  body.push_back(store("y", element("x")));
  std::string python = pruned(kernel(std::move(body)));
  EXPECT_EQ(python.find("for j"), std::string::npos) << python;
  EXPECT_EQ(python.find("acc"), std::string::npos) << python;
}

TEST(Prune, KeepsALoopCarriedValueReadAfterTheLoop) {
  Block body = accumulate();
  body.push_back(store("y", model::make_var("acc", kFloat)));
  std::string python = pruned(kernel(std::move(body)));
  EXPECT_NE(python.find("acc += x[i]"), std::string::npos) << python;
}

TEST(Prune, AnOverwrittenDeclarationHandsTheDeclarationOn) {
  Block body;
  body.push_back(assign("a", element("x")));
  body.push_back(assign("a", binary("+", element("x"), model::make_literal("1.0", kFloat)), false));
  body.push_back(store("y", model::make_var("a", kFloat)));
  model::Program p = kernel(std::move(body));
  std::vector<generator::ArrayParam> arrays;
  generator::prune(p, arrays);
  ASSERT_EQ(p.kernel.body.size(), 3u) << model::print_python(p);
  EXPECT_TRUE(p.kernel.body[1].declares);
}

namespace {

const catalog::Catalog& test_catalog() {
  static const catalog::Catalog catalog = catalog::Catalog::load(WARPSYNTH_TEST_CATALOG);
  return catalog;
}

}  // namespace

// What the generator hands on has no dead definition, no useless loop, no unread argument and
// no uncalled func, over thousands of seeds of every template.
TEST(Prune, GeneratedProgramsHaveNoDeadCode) {
  generator::Generator generator(test_catalog(), generator::GeneratorConfig::defaults());
  int bad = 0;
  for (int i = 0; i < 3000; ++i) {
    auto k = generator.generate(generator::sample_seed(11, i));
    std::string problem;
    auto live = model::analyze_liveness(k.program.kernel.body, model::function_variables(k.program.kernel.params, k.program.kernel.body), true);
    if (!live.dead.empty() || !live.useless_loops.empty()) problem = "dead code in the kernel";
    for (const auto& f : k.program.funcs) {
      auto fl = model::analyze_liveness(f.body, model::function_variables(f.params, f.body), false);
      if (!fl.dead.empty()) problem = "dead code in func " + f.name;
    }
    std::set<std::string> read;
    std::set<int> called;
    auto note = [&](const model::Expr& e) {
      if (e.kind == ExprKind::kVar) read.insert(e.text);
      if (e.kind == ExprKind::kFuncCall || e.kind == ExprKind::kFuncRef) called.insert(e.signature);
    };
    model::for_each_expr(k.program.kernel.body, note);
    for (const auto& f : k.program.funcs) model::for_each_expr(f.body, note);
    for (const auto& p : k.program.kernel.params) {
      if (!read.count(p.name)) problem = "argument " + p.name + " never read";
    }
    called.erase(-1);  // wp.sin passed to wp.tile_map
    if (called.size() != k.program.funcs.size()) problem = "a func is never called";
    if (!model::check_program(k.program, test_catalog()).empty()) problem = "type error";
    if (!problem.empty() && ++bad <= 3) ADD_FAILURE() << "seed index " << i << ": " << problem << "\n" << k.python;
  }
  EXPECT_EQ(bad, 0);
}

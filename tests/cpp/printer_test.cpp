// Golden tests of the Python printer on hand-built programs.
#include "model/printer.h"

#include <gtest/gtest.h>

using namespace warpsynth::model;

namespace {

const Type kF = Type::scalar_of(Scalar::kFloat32);
const Type kI = Type::scalar_of(Scalar::kInt32);
const Type kB = Type::scalar_of(Scalar::kBool);
const Type kV3 = Type::vector_of(3, Scalar::kFloat32);

ExprPtr var(const char* n, Type t = kF) { return make_var(n, t); }
ExprPtr lit(const char* text, Type t = kF) { return make_literal(text, t); }
ExprPtr node(ExprKind k, Type t, const char* text, std::vector<ExprPtr> args) {
  auto e = make_expr(k, t, text);
  e->args = std::move(args);
  return e;
}
template <typename... A>
std::vector<ExprPtr> list(A... a) {
  std::vector<ExprPtr> v;
  (v.push_back(std::move(a)), ...);
  return v;
}
Stmt assign(const char* name, ExprPtr value) {
  Stmt s;
  s.kind = StmtKind::kAssign;
  s.declares = true;
  s.name = name;
  s.value = std::move(value);
  return s;
}
std::string show(const ExprPtr& e) { return print_expr(Program{}, *e); }

}  // namespace

TEST(Printer, ParenthesesFollowPythonPrecedence) {
  // (a + b) * c, a - (b - c), a * b + c, -(-1.0), a if c else b
  auto sum = node(ExprKind::kBinary, kF, "+", list(var("a"), var("b")));
  EXPECT_EQ(show(node(ExprKind::kBinary, kF, "*", list(std::move(sum), var("c")))), "(a + b) * c");
  auto diff = node(ExprKind::kBinary, kF, "-", list(var("b"), var("c")));
  EXPECT_EQ(show(node(ExprKind::kBinary, kF, "-", list(var("a"), std::move(diff)))), "a - (b - c)");
  auto prod = node(ExprKind::kBinary, kF, "*", list(var("a"), var("b")));
  EXPECT_EQ(show(node(ExprKind::kBinary, kF, "+", list(std::move(prod), var("c")))), "a * b + c");
  EXPECT_EQ(show(node(ExprKind::kUnary, kF, "-", list(lit("-1.0")))), "-(-1.0)");
  auto cmp = node(ExprKind::kCompare, kB, "<", list(var("x"), lit("0.5")));
  EXPECT_EQ(show(node(ExprKind::kTernary, kF, "", list(std::move(cmp), var("a"), var("b")))), "a if x < 0.5 else b");
  auto both = node(ExprKind::kBoolOp, kB, "or",
                   list(node(ExprKind::kBoolOp, kB, "and", list(var("p", kB), var("q", kB))), node(ExprKind::kNot, kB, "", list(var("r", kB)))));
  EXPECT_EQ(show(std::move(both)), "p and q or not r");
}

TEST(Printer, CallsConstructorsCastsIndexing) {
  auto c = node(ExprKind::kCall, kF, "dot", list(var("u", kV3), var("v", kV3)));
  EXPECT_EQ(show(c), "wp.dot(u, v)");
  EXPECT_EQ(show(node(ExprKind::kConstruct, kV3, "", list(lit("1.0"), lit("0.0"), lit("2.0")))), "wp.vec3(1.0, 0.0, 2.0)");
  EXPECT_EQ(show(node(ExprKind::kConstruct, Type::vector_of(3, Scalar::kFloat64), "",
                      list(node(ExprKind::kCast, Type::scalar_of(Scalar::kFloat64), "", list(lit("1.0")))))),
            "wp.vec3d(wp.float64(1.0))");
  EXPECT_EQ(show(node(ExprKind::kCast, kI, "", list(var("t")))), "int(t)");
  EXPECT_EQ(show(node(ExprKind::kIndex, kF, "", list(var("grid", Type::array_of(kF, 2)), var("i", kI), var("j", kI)))), "grid[i, j]");
  EXPECT_EQ(show(node(ExprKind::kComponent, kF, "", list(std::move(c), lit("1", kI)))), "wp.dot(u, v)[1]");
  auto shape = make_expr(ExprKind::kShape, kI, "", 1);
  shape->args.push_back(var("grid", Type::array_of(kF, 2)));
  EXPECT_EQ(show(shape), "grid.shape[1]");
}

TEST(Printer, WholeProgramLayout) {
  Program p;
  p.structs.push_back({"Params", {{"gain", kF}, {"axis", kV3}}});
  FuncDef f;
  f.name = "scaled";
  f.params = {{"x", kF}, {"s", kF}};
  f.returns = kF;
  Stmt ret;
  ret.kind = StmtKind::kReturn;
  ret.value = node(ExprKind::kBinary, kF, "*", list(var("x"), var("s")));
  f.body.push_back(std::move(ret));
  p.funcs.push_back(std::move(f));
  p.kernel.name = "apply";
  p.kernel.params = {{"params", Type::struct_of(0)}, {"data", Type::array_of(kF, 2)}};
  Stmt tid;
  tid.kind = StmtKind::kUnpack;
  tid.names = {"i", "j"};
  tid.value = make_expr(ExprKind::kCall, kI, "tid");
  p.kernel.body.push_back(std::move(tid));
  p.kernel.body.push_back(assign("acc", node(ExprKind::kCast, kF, "", list(lit("0.0")))));
  Stmt loop;
  loop.kind = StmtKind::kFor;
  loop.name = "k";
  loop.range = list(lit("0", kI), lit("8", kI), lit("2", kI));
  Stmt aug;
  aug.kind = StmtKind::kAugAssign;
  aug.name = "acc";
  aug.op = "+=";
  auto field = make_expr(ExprKind::kField, kF, "gain");
  field->args.push_back(var("params", Type::struct_of(0)));
  aug.value = std::move(field);
  loop.body.push_back(std::move(aug));
  Stmt brk;
  brk.kind = StmtKind::kBreak;
  Stmt cond;
  cond.kind = StmtKind::kIf;
  cond.value = node(ExprKind::kCompare, kB, ">", list(var("acc"), lit("4.0")));
  cond.body.push_back(std::move(brk));
  loop.body.push_back(std::move(cond));
  p.kernel.body.push_back(std::move(loop));
  Stmt store;
  store.kind = StmtKind::kStore;
  store.target = node(ExprKind::kIndex, kF, "", list(var("data", Type::array_of(kF, 2)), var("i", kI), var("j", kI)));
  auto call = make_expr(ExprKind::kFuncCall, kF, "scaled", 0);
  call->args = list(var("acc"), lit("2.0"));
  store.value = std::move(call);
  p.kernel.body.push_back(std::move(store));
  Stmt empty_if;
  empty_if.kind = StmtKind::kIf;
  empty_if.value = var("flag", kB);
  empty_if.orelse.push_back(Stmt{});
  empty_if.orelse.back().kind = StmtKind::kReturn;
  p.kernel.body.push_back(std::move(empty_if));

  EXPECT_EQ(print_python(p),
            "import warp as wp\n"
            "\n\n"
            "@wp.struct\n"
            "class Params:\n"
            "    gain: float\n"
            "    axis: wp.vec3\n"
            "\n\n"
            "@wp.func\n"
            "def scaled(x: float, s: float) -> float:\n"
            "    return x * s\n"
            "\n\n"
            "@wp.kernel\n"
            "def apply(params: Params, data: wp.array2d(dtype=float)):\n"
            "    i, j = wp.tid()\n"
            "    acc = float(0.0)\n"
            "    for k in range(0, 8, 2):\n"
            "        acc += params.gain\n"
            "        if acc > 4.0:\n"
            "            break\n"
            "    data[i, j] = scaled(acc, 2.0)\n"
            "    if flag:\n"
            "        pass\n"
            "    else:\n"
            "        return\n");
}

TEST(Printer, LongCallsAreWrappedLikeBlack) {
  Program p;
  p.kernel.name = "k";
  auto inner = node(ExprKind::kCall, kV3, "cross", list(var("first_argument", kV3), var("second_argument", kV3)));
  auto outer = node(ExprKind::kCall, kF, "dot", list(std::move(inner), node(ExprKind::kCall, kV3, "normalize", list(var("a_rather_long_name_for_a_vector", kV3)))));
  p.kernel.body.push_back(assign("a_long_variable_name", node(ExprKind::kCall, kF, "clamp", list(std::move(outer), lit("0.0"), lit("1.0")))));
  // The dot() argument line does not fit in 88 columns with its comma: it is broken too.
  EXPECT_EQ(print_python(p),
            "import warp as wp\n\n\n@wp.kernel\ndef k():\n"
            "    a_long_variable_name = wp.clamp(\n"
            "        wp.dot(\n"
            "            wp.cross(first_argument, second_argument),\n"
            "            wp.normalize(a_rather_long_name_for_a_vector),\n"
            "        ),\n"
            "        0.0,\n"
            "        1.0,\n"
            "    )\n");
}

TEST(Printer, LongTernariesAndOperatorsAreWrappedInParentheses) {
  Program p;
  p.kernel.name = "k";
  auto cond = node(ExprKind::kCompare, kB, ">", list(var("a_fairly_long_condition_value"), lit("0.5")));
  auto left = node(ExprKind::kCall, kF, "length", list(var("some_long_vector_name_number_one", kV3)));
  auto right = node(ExprKind::kCall, kF, "length", list(var("some_long_vector_name_number_two", kV3)));
  p.kernel.body.push_back(assign("t", node(ExprKind::kTernary, kF, "", list(std::move(cond), std::move(left), std::move(right)))));
  auto a = node(ExprKind::kCall, kF, "length", list(var("some_long_vector_name_number_one", kV3)));
  auto b = node(ExprKind::kCall, kF, "length", list(var("some_long_vector_name_number_two", kV3)));
  auto c = node(ExprKind::kBinary, kF, "+", list(std::move(a), std::move(b)));
  p.kernel.body.push_back(assign("u", node(ExprKind::kBinary, kF, "*", list(std::move(c), var("a_long_scale_factor")))));
  EXPECT_EQ(print_python(p),
            "import warp as wp\n\n\n@wp.kernel\ndef k():\n"
            "    t = (\n"
            "        wp.length(some_long_vector_name_number_one)\n"
            "        if a_fairly_long_condition_value > 0.5\n"
            "        else wp.length(some_long_vector_name_number_two)\n"
            "    )\n"
            // As black 26.10.1 lays it out: the last bracket pair that lets the first line fit.
            "    u = (\n"
            "        wp.length(some_long_vector_name_number_one)\n"
            "        + wp.length(some_long_vector_name_number_two)\n"
            "    ) * a_long_scale_factor\n");
}

TEST(Printer, NegationsAreWrittenAsAPersonWritesThem) {
  auto less = [] { return node(ExprKind::kCompare, kB, "<", list(var("a"), var("b"))); };
  EXPECT_EQ(show(negation_of(less())), "a >= b");
  EXPECT_EQ(show(negation_of(node(ExprKind::kCompare, kB, "==", list(var("n", kI), lit("0", kI))))), "n != 0");
  EXPECT_EQ(show(negation_of(node(ExprKind::kNot, kB, "", list(var("f", kB))))), "f");
  EXPECT_EQ(show(negation_of(node(ExprKind::kBoolOp, kB, "and", list(less(), var("f", kB))))), "a >= b or not f");
  EXPECT_EQ(show(negation_of(var("f", kB))), "not f");
}

TEST(Printer, ArraysAreSpelledAsTheProgramChose) {
  const Type grid = Type::array_of(kV3, 2);
  EXPECT_EQ(python_name(grid), "wp.array2d(dtype=wp.vec3)");
  EXPECT_EQ(python_name(grid, {}, ArraySpelling::kSubscript), "wp.array2d[wp.vec3]");
  Program p;
  p.array_spelling = ArraySpelling::kSubscript;
  p.kernel.name = "fill";
  p.kernel.params = {{"values", Type::array_of(kF, 1)}, {"points", grid}};
  Stmt store;
  store.kind = StmtKind::kStore;
  store.target = node(ExprKind::kIndex, kF, "", list(var("values", Type::array_of(kF, 1)), lit("0", kI)));
  store.value = lit("1.0");
  p.kernel.body.push_back(std::move(store));
  EXPECT_NE(print_python(p).find("def fill(values: wp.array[float], points: wp.array2d[wp.vec3]):\n"), std::string::npos)
      << print_python(p);
}

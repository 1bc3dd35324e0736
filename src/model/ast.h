// The kernel language as data: expressions, statements, @wp.struct, @wp.func, @wp.kernel.
// The generator builds a Program, the type checker verifies it, the printer writes Python.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/type.h"

namespace warpsynth::model {

enum class ExprKind : std::uint8_t {
  kLiteral,    // text: as printed ("1.5", "wp.float64(2.0)" is a kCast of a literal)
  kVar,        // text: name
  kCall,       // builtin call wp.<text>(args); signature: catalog index, or -1 for the
               // array builtins the catalog lists as generic (atomics), multi-dimensional tid, and
               // the family builtins the catalog cannot list (family_builtins.h: tiles, queries)
  kBinary,     // args[0] <text> args[1], an operator builtin; signature: catalog index
  kUnary,      // <text> args[0] ("-"), an operator builtin; signature: catalog index
  kCompare,    // args[0] <text> args[1] on scalars, result bool
  kBoolOp,     // args[0] <text> args[1] with text "and" | "or"
  kNot,        // not args[0]
  kTernary,    // args[1] if args[0] else args[2]
  kConstruct,  // a composite from its components: wp.vec3(x, y, z), wp.transform(p, q), ...
  kCast,       // a scalar converted: float(x), int(x), wp.float64(x)
  kIndex,      // array element: args[0][args[1], ...]
  kComponent,  // vector or matrix component: args[0][args[1]] or args[0][args[1], args[2]]
  kField,      // struct field: args[0].text
  kFuncCall,   // generated @wp.func: text(args); signature: index in Program::funcs
  kShape,      // array extent: args[0].shape[signature]
  kKeyword,    // a call's keyword argument: text=args[0] (shape=16, dtype=float)
  kTuple,      // (args[0], args[1], ...): a 2-D tile's shape or offset
  kFuncRef,    // a function passed as a value: text ("wp.sin", or a generated func, signature its index)
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  Type type;
  std::string text;
  int signature = -1;
  std::vector<ExprPtr> args;
};

enum class StmtKind : std::uint8_t {
  kAssign,     // name = value (declares the name when `declares`)
  kAugAssign,  // name op= value
  kStore,      // target = value, target a kIndex or kComponent expression
  kAugStore,   // target op= value
  kIf,         // if value: body, elif ...: ..., else: orelse
  kFor,        // for name in range(range...): body
  kWhile,      // while value: body
  kBreak,
  kContinue,
  kReturn,     // return [value]
  kExpr,       // value (a call evaluated for its effect, such as wp.atomic_add)
  kUnpack,     // names[0], names[1], ... = value (wp.tid() of a 2-4 dimensional launch)
  kPass,       // `pass` (the generator writes none: prune folds emptied branches away)
};

struct Stmt;
using Block = std::vector<Stmt>;

struct Elif {
  ExprPtr condition;
  Block body;
};

struct Stmt {
  StmtKind kind = StmtKind::kExpr;
  std::string name;   // assigned variable, loop variable
  std::vector<std::string> names;  // kUnpack
  std::string op;     // augmented operator: "+=", "-=", "*=", ...
  bool declares = false;
  ExprPtr target;     // kStore, kAugStore
  ExprPtr value;      // right-hand side, condition, returned value, evaluated call
  std::vector<ExprPtr> range;  // kFor: start, stop, step
  Block body;
  std::vector<Elif> elifs;
  Block orelse;
};

struct Param {
  std::string name;
  Type type;
};

struct StructDef {
  std::string name;
  std::vector<Param> fields;
};

struct FuncDef {
  std::string name;  // overloads share a name and differ in parameter types
  std::string doc;   // one-line docstring, or empty
  std::vector<Param> params;
  Type returns;
  Block body;
};

struct KernelDef {
  std::string name;
  std::string doc;  // one-line docstring saying what the kernel computes, or empty
  std::vector<Param> params;
  Block body;
};

struct Program {
  // wp.set_module_options({...}) after the import: option name -> Python value as written
  std::vector<std::pair<std::string, std::string>> module_options;
  ArraySpelling array_spelling = ArraySpelling::kCall;  // of the annotations
  std::vector<StructDef> structs;
  std::vector<FuncDef> funcs;  // in definition order; a func calls only funcs before it
  KernelDef kernel;
};

// Convenience constructors used by the generator and tests.
ExprPtr make_expr(ExprKind kind, Type type, std::string text = {}, int signature = -1);
ExprPtr make_var(const std::string& name, Type type);
ExprPtr make_literal(const std::string& text, Type type);
ExprPtr clone(const Expr& expr);
// Same tree: kinds, types, texts, signatures and operands all equal.
bool same_expr(const Expr& a, const Expr& b);
// The condition's negation as a person writes it: a comparison with the opposite operator
// (`a >= b`, not `not a < b`), `not c` and `wp.unot(c)` unwrapped, `a and b` by De Morgan, else
// `not c`.
ExprPtr negation_of(ExprPtr condition);

namespace ast_detail {

template <typename E, typename Fn>
void visit_expr(E& e, Fn& fn) {
  fn(e);
  for (auto& a : e.args) visit_expr<E>(*a, fn);
}

template <typename E, typename B, typename Fn>
void visit_block(B& block, Fn& fn) {
  for (auto& s : block) {
    if (s.target) visit_expr<E>(*s.target, fn);
    if (s.value) visit_expr<E>(*s.value, fn);
    for (auto& r : s.range) visit_expr<E>(*r, fn);
    visit_block<E>(s.body, fn);
    for (auto& e : s.elifs) {
      visit_expr<E>(*e.condition, fn);
      visit_block<E>(e.body, fn);
    }
    visit_block<E>(s.orelse, fn);
  }
}

}  // namespace ast_detail

// Every expression of a block and its nested blocks (targets, values, ranges, conditions), each
// node before its operands. Templates, not std::function: the generator walks its programs many
// times per kernel.
template <typename Fn>
void for_each_expr(Block& block, Fn&& fn) {
  ast_detail::visit_block<Expr>(block, fn);
}
template <typename Fn>
void for_each_expr(const Block& block, Fn&& fn) {
  ast_detail::visit_block<const Expr>(block, fn);
}
// Every statement of a block and its nested blocks, each before the statements it holds.
template <typename Fn>
void for_each_stmt(const Block& block, Fn&& fn) {
  for (const auto& s : block) {
    fn(s);
    for_each_stmt(s.body, fn);
    for (const auto& e : s.elifs) for_each_stmt(e.body, fn);
    for_each_stmt(s.orelse, fn);
  }
}

}  // namespace warpsynth::model

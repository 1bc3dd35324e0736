#include "model/type_checker.h"

#include "model/family_builtins.h"

#include <algorithm>
#include <map>
#include <set>

#include "model/printer.h"

namespace warpsynth::model {
namespace {

const std::set<std::string> kArrayBuiltins = {"atomic_add", "atomic_sub", "atomic_min", "atomic_max", "atomic_exch",
                                              "atomic_and", "atomic_or",  "atomic_xor", "atomic_cas"};
const std::set<std::string> kIntegerOnlyAtomics = {"atomic_and", "atomic_or", "atomic_xor", "atomic_cas"};

bool is_int32(const Type& t) { return t == Type::scalar_of(Scalar::kInt32); }

bool literal_text_fits(const Expr& e) {
  const std::string& t = e.text;
  if (e.type.is_bool()) return t == "True" || t == "False";
  if (t.empty()) return false;
  size_t start = t[0] == '-' ? 1 : 0;
  if (start == t.size()) return false;
  bool has_point = false;
  for (size_t i = start; i < t.size(); ++i) {
    char c = t[i];
    if (c == '.' || c == 'e' || c == 'E' || ((c == '-' || c == '+') && i > start && (t[i - 1] == 'e'))) {
      has_point = true;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  if (e.type == Type::scalar_of(Scalar::kFloat32)) return has_point;
  if (is_int32(e.type)) return !has_point;
  return false;  // other scalar types are spelled as casts of a literal
}

class Checker {
 public:
  Checker(const Program& program, const catalog::Catalog& catalog) : program_(program), catalog_(catalog) {}

  std::vector<TypeError> run() {
    for (size_t i = 0; i < program_.structs.size(); ++i) check_struct(program_.structs[i]);
    for (size_t i = 0; i < program_.funcs.size(); ++i) {
      current_func_ = static_cast<int>(i);
      const FuncDef& f = program_.funcs[i];
      where_ = "func " + f.name + " (#" + std::to_string(i) + ")";
      scopes_.assign(1, {});
      for (const auto& p : f.params) {
        if (p.type.is_array() || p.type.is_void()) fail("parameter " + p.name + " has a type a func cannot take");
        declare(p.name, p.type);
      }
      if (f.returns.is_void() || f.returns.is_array()) fail("func must return a value type");
      check_block(f.body, 0);
      if (f.body.empty() || f.body.back().kind != StmtKind::kReturn) fail("func body does not end with return");
    }
    current_func_ = -1;
    where_ = "kernel " + program_.kernel.name;
    scopes_.assign(1, {});
    for (const auto& p : program_.kernel.params) declare(p.name, p.type);
    check_block(program_.kernel.body, 0);
    return std::move(errors_);
  }

 private:
  void fail(const std::string& message) { errors_.push_back({where_, message}); }
  std::string show(const Expr& e) const { return "`" + print_expr(program_, e) + "`"; }

  void check_struct(const StructDef& s) {
    where_ = "struct " + s.name;
    std::set<std::string> names;
    if (s.fields.empty()) fail("struct has no fields");
    for (const auto& f : s.fields) {
      if (!names.insert(f.name).second) fail("duplicate field " + f.name);
      if (f.type.is_array() || f.type.is_void() || f.type.kind == Kind::kStruct) fail("field " + f.name + " has an unsupported type");
    }
  }

  const Type* lookup(const std::string& name) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      auto found = it->find(name);
      if (found != it->end()) return &found->second;
    }
    return nullptr;
  }

  void declare(const std::string& name, const Type& type) {
    if (lookup(name)) fail("`" + name + "` declared twice");
    scopes_.back()[name] = type;
  }

  // Checks an expression and returns whether it is well formed (errors are recorded).
  bool expr(const Expr& e) {
    bool ok = true;
    for (const auto& a : e.args) ok &= expr(*a);
    if (!ok) return false;
    auto bad = [&](const std::string& why) {
      fail(show(e) + ": " + why);
      return false;
    };
    const auto& a = e.args;
    switch (e.kind) {
      case ExprKind::kLiteral:
        if (!a.empty()) return bad("literal with operands");
        if (!literal_text_fits(e)) return bad("literal does not spell a " + warp_name(e.type));
        return true;
      case ExprKind::kVar: {
        const Type* t = lookup(e.text);
        if (!t) return bad("not declared");
        if (!(*t == e.type)) return bad("declared as another type");
        return true;
      }
      case ExprKind::kCall:
      case ExprKind::kBinary:
      case ExprKind::kUnary: {
        if (e.signature < 0) return array_builtin(e, bad);
        if (e.signature >= catalog_.size()) return bad("no such catalog signature");
        const auto& sig = catalog_[e.signature];
        if (sig.key != e.text && e.kind == ExprKind::kCall) return bad("signature is for wp." + sig.key);
        if (sig.args.size() != a.size()) return bad("wants " + std::to_string(sig.args.size()) + " arguments");
        if (!sig.results.empty() && e.kind != ExprKind::kCall) return bad("several results are not an operand");
        for (size_t i = 0; i < a.size(); ++i) {
          if (!(sig.args[i].type == a[i]->type)) return bad("argument " + sig.args[i].name + " is not " + warp_name(sig.args[i].type));
        }
        if (!(sig.returns == e.type)) return bad("result is " + warp_name(sig.returns) + ", not " + warp_name(e.type));
        if (e.kind == ExprKind::kBinary && a.size() != 2) return bad("binary operator needs 2 operands");
        if (e.kind == ExprKind::kUnary && a.size() != 1) return bad("unary operator needs 1 operand");
        return true;
      }
      case ExprKind::kCompare:
        if (a.size() != 2 || !a[0]->type.is_scalar() || !(a[0]->type == a[1]->type)) return bad("comparison of unlike or non-scalar operands");
        if (!e.type.is_bool()) return bad("comparison must be bool");
        return true;
      case ExprKind::kBoolOp:
        if (a.size() != 2 || !a[0]->type.is_bool() || !a[1]->type.is_bool() || !e.type.is_bool()) return bad("and/or need bools");
        return true;
      case ExprKind::kNot:
        if (a.size() != 1 || !a[0]->type.is_bool() || !e.type.is_bool()) return bad("not needs a bool");
        return true;
      case ExprKind::kTernary:
        if (a.size() != 3 || !a[0]->type.is_bool()) return bad("ternary needs a bool condition");
        if (!(a[1]->type == e.type) || !(a[2]->type == e.type)) return bad("ternary branches differ in type");
        return true;
      case ExprKind::kConstruct: return construct(e, bad);
      case ExprKind::kCast:
        if (a.size() != 1 || !a[0]->type.is_scalar() || a[0]->type.is_bool() || !e.type.is_scalar() || e.type.is_bool()) return bad("cast between non-numeric scalars");
        return true;
      case ExprKind::kIndex: {
        if (a.empty() || !a[0]->type.is_array()) return bad("indexing a non-array");
        if (a.size() - 1 != a[0]->type.array_ndim) return bad("wrong number of indices");
        for (size_t i = 1; i < a.size(); ++i) if (!is_int32(a[i]->type)) return bad("index is not int32");
        if (!(e.type == a[0]->type.element())) return bad("element type mismatch");
        return true;
      }
      case ExprKind::kComponent: {
        if (a.size() < 2) return bad("component needs an index");
        for (size_t i = 1; i < a.size(); ++i) if (!is_int32(a[i]->type)) return bad("component index is not int32");
        const Type& base = a[0]->type;
        if (base.is_vector_like() && a.size() == 2 && e.type == base.component()) return true;
        if (base.is_matrix_like() && a.size() == 3 && e.type == base.component()) return true;
        if (base.is_matrix_like() && a.size() == 2 && e.type == Type::vector_of(base.cols, base.scalar)) return true;
        return bad("not a component of " + warp_name(base));
      }
      case ExprKind::kKeyword:
        if (a.size() != 1 || !(a[0]->type == e.type)) return bad("keyword argument of another type");
        return true;
      case ExprKind::kTuple:
        for (const auto& x : a) if (!is_int32(x->type)) return bad("tuple of non-int32");
        return true;
      case ExprKind::kFuncRef:
        if (e.signature >= int(program_.funcs.size())) return bad("refers to no func");
        return true;
      case ExprKind::kField: {
        if (a.size() == 1 && a[0]->type.is_opaque()) {
          auto f = opaque_field(a[0]->type, e.text);
          if (!f) return bad("no field " + e.text + " in " + warp_name(a[0]->type));
          return *f == e.type ? true : bad("field type mismatch");
        }
        if (a.size() != 1 || !a[0]->type.is_struct()) return bad("field of a non-struct");
        int id = a[0]->type.struct_id;
        if (id < 0 || id >= int(program_.structs.size())) return bad("unknown struct");
        for (const auto& f : program_.structs[id].fields) {
          if (f.name == e.text) return f.type == e.type ? true : bad("field type mismatch");
        }
        return bad("no field " + e.text);
      }
      case ExprKind::kFuncCall: {
        int limit = current_func_ < 0 ? int(program_.funcs.size()) : current_func_;
        if (e.signature < 0 || e.signature >= limit) return bad("calls a func not defined before");
        const FuncDef& f = program_.funcs[e.signature];
        if (f.name != e.text) return bad("func index names " + f.name);
        if (f.params.size() != a.size()) return bad("wrong argument count");
        for (size_t i = 0; i < a.size(); ++i) if (!(f.params[i].type == a[i]->type)) return bad("argument " + f.params[i].name + " type mismatch");
        if (!(f.returns == e.type)) return bad("result type mismatch");
        return true;
      }
      case ExprKind::kShape:
        if (a.size() != 1 || !a[0]->type.is_array() || e.signature < 0 || e.signature >= a[0]->type.array_ndim || !is_int32(e.type)) return bad("bad shape access");
        return true;
    }
    return bad("unknown expression");
  }

  template <typename Bad>
  bool array_builtin(const Expr& e, Bad& bad) {
    const auto& a = e.args;
    if (e.text == "tid") return bad("wp.tid() of several dimensions is only valid unpacked");
    if (e.kind == ExprKind::kCall && is_family_builtin(e.text)) return true;  // typed by its template
    if (e.kind != ExprKind::kCall) {  // an operator on tiles: `t * 0.5`, `a + b`
      bool tile = std::any_of(a.begin(), a.end(), [](const ExprPtr& x) { return x->type.is_opaque(Opaque::kTile); });
      return tile && e.type.is_opaque(Opaque::kTile) ? true : bad("operator without signature on no tile");
    }
    if (!kArrayBuiltins.count(e.text)) return bad("unknown builtin without signature");
    if (a.empty() || !a[0]->type.is_array()) return bad("first argument must be an array");
    size_t ndim = a[0]->type.array_ndim;
    size_t values = e.text == "atomic_cas" ? 2 : 1;  // atomic_cas(arr, i, compare, value)
    if (a.size() != ndim + 1 + values) return bad("wants the array, " + std::to_string(ndim) + " indices and the value(s)");
    for (size_t i = 1; i <= ndim; ++i) if (!is_int32(a[i]->type)) return bad("index is not int32");
    Type element = a[0]->type.element();
    for (size_t i = ndim + 1; i < a.size(); ++i) {
      if (!(a[i]->type == element)) return bad("value is not the array's element type");
    }
    if (!(e.type == element)) return bad("result is not the array's element type");
    if (kIntegerOnlyAtomics.count(e.text) && !element.is_int()) return bad(e.text + " needs an integer array");
    if (!element.is_scalar() && e.text != "atomic_add" && e.text != "atomic_sub") return bad(e.text + " of a non-scalar");
    return true;
  }

  template <typename Bad>
  bool construct(const Expr& e, Bad& bad) {
    const auto& a = e.args;
    const Type& t = e.type;
    auto all_components = [&](size_t count) {
      if (a.size() != count) return false;
      for (const auto& x : a) if (!(x->type == t.component())) return false;
      return true;
    };
    switch (t.kind) {
      case Kind::kVector: if (all_components(t.rows) || all_components(1)) return true; break;
      case Kind::kMatrix: if (all_components(size_t(t.rows) * t.cols)) return true; break;
      case Kind::kQuat: if (all_components(4)) return true; break;
      case Kind::kSpatialVector: if (all_components(6)) return true; break;
      case Kind::kTransform:
        if (a.size() == 2 && a[0]->type == Type::vector_of(3, t.scalar) && a[1]->type == Type::quat_of(t.scalar)) return true;
        break;
      default: break;
    }
    return bad("cannot construct " + warp_name(t) + " from these arguments");
  }

  void check_block(const Block& block, int loop_depth) {
    scopes_.emplace_back();
    for (const auto& s : block) stmt(s, loop_depth);
    scopes_.pop_back();
  }

  void stmt(const Stmt& s, int loop_depth) {
    switch (s.kind) {
      case StmtKind::kAssign: {
        if (!expr(*s.value)) return;
        if (s.value->type.is_array() || s.value->type.is_void()) {
          fail("`" + s.name + "` assigned a non-value");
          return;
        }
        if (s.declares) {
          declare(s.name, s.value->type);
        } else {
          const Type* t = lookup(s.name);
          if (!t) fail("`" + s.name + "` assigned before it is declared");
          else if (!(*t == s.value->type)) fail("`" + s.name + "` reassigned with another type");
        }
        return;
      }
      case StmtKind::kAugAssign: {
        if (!expr(*s.value)) return;
        const Type* t = lookup(s.name);
        if (!t) fail("`" + s.name + "` updated before it is declared");
        else if (!(*t == s.value->type)) fail("`" + s.name + "` " + s.op + " with another type");
        return;
      }
      case StmtKind::kStore:
      case StmtKind::kAugStore: {
        if (!s.target || (s.target->kind != ExprKind::kIndex && s.target->kind != ExprKind::kComponent)) {
          fail("store to something that is not an element or component");
          return;
        }
        if (!expr(*s.target) || !expr(*s.value)) return;
        if (!(s.target->type == s.value->type)) fail(show(*s.target) + " stored with another type");
        return;
      }
      case StmtKind::kUnpack: {
        if (s.value && s.value->kind == ExprKind::kCall && s.value->signature >= 0) {
          if (!expr(*s.value)) return;
          const auto& results = catalog_[s.value->signature].results;
          if (results.size() != s.names.size()) {
            fail("unpacks " + std::to_string(s.names.size()) + " names from wp." + s.value->text + ", which returns " +
                 std::to_string(results.size()) + " values");
            return;
          }
          for (size_t i = 0; i < results.size(); ++i) declare(s.names[i], results[i]);
          return;
        }
        if (!s.value || s.value->kind != ExprKind::kCall || s.value->text != "tid" || !s.value->args.empty() ||
            s.names.size() < 2 || s.names.size() > 4 || current_func_ >= 0) {
          fail("only wp.tid() of 2-4 dimensions in a kernel, or a builtin that returns several values, may be unpacked");
          return;
        }
        for (const auto& n : s.names) declare(n, Type::scalar_of(Scalar::kInt32));
        return;
      }
      case StmtKind::kIf:
        if (expr(*s.value) && !s.value->type.is_bool()) fail("if condition is not bool");
        check_block(s.body, loop_depth);
        for (const auto& e : s.elifs) {
          if (expr(*e.condition) && !e.condition->type.is_bool()) fail("elif condition is not bool");
          check_block(e.body, loop_depth);
        }
        check_block(s.orelse, loop_depth);
        return;
      case StmtKind::kFor:
        if (s.range.empty() || s.range.size() > 3) fail("range takes 1 to 3 arguments");
        for (const auto& r : s.range) {
          if (expr(*r) && !is_int32(r->type)) fail("range bound is not int32");
        }
        scopes_.emplace_back();
        declare(s.name, Type::scalar_of(Scalar::kInt32));
        check_block(s.body, loop_depth + 1);
        scopes_.pop_back();
        return;
      case StmtKind::kWhile:
        if (expr(*s.value) && !s.value->type.is_bool()) fail("while condition is not bool");
        check_block(s.body, loop_depth + 1);
        return;
      case StmtKind::kPass: return;
      case StmtKind::kBreak:
      case StmtKind::kContinue:
        if (loop_depth == 0) fail("break/continue outside a loop");
        return;
      case StmtKind::kReturn:
        if (current_func_ < 0) {
          if (s.value) fail("a kernel returns no value");
        } else if (!s.value) {
          fail("func returns without a value");
        } else if (expr(*s.value) && !(s.value->type == program_.funcs[current_func_].returns)) {
          fail("returns " + warp_name(s.value->type) + ", declared " + warp_name(program_.funcs[current_func_].returns));
        }
        return;
      case StmtKind::kExpr:
        if (expr(*s.value) && s.value->kind != ExprKind::kCall && s.value->kind != ExprKind::kFuncCall) {
          fail("expression statement is not a call");
        }
        return;
    }
  }

  const Program& program_;
  const catalog::Catalog& catalog_;
  std::vector<std::map<std::string, Type>> scopes_;
  std::vector<TypeError> errors_;
  std::string where_;
  int current_func_ = -1;
};

}  // namespace

bool is_array_builtin(const std::string& key) { return kArrayBuiltins.count(key) > 0; }

std::vector<TypeError> check_program(const Program& program, const catalog::Catalog& catalog) {
  return Checker(program, catalog).run();
}

}  // namespace warpsynth::model

#include "model/printer.h"

#include <string_view>

namespace warpsynth::model {
namespace {

constexpr size_t kMaxLine = 99;
constexpr int kPrimary = 14;

int binary_precedence(std::string_view op) {
  if (op == "|") return 6;
  if (op == "^") return 7;
  if (op == "&") return 8;
  if (op == "<<" || op == ">>") return 9;
  if (op == "+" || op == "-") return 10;
  return 11;  // * / // % @
}

int precedence(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kTernary: return 1;
    case ExprKind::kBoolOp: return e.text == "or" ? 2 : 3;
    case ExprKind::kNot: return 4;
    case ExprKind::kCompare: return 5;
    case ExprKind::kBinary: return binary_precedence(e.text);
    case ExprKind::kUnary: return 12;
    case ExprKind::kLiteral: return !e.text.empty() && e.text[0] == '-' ? 12 : kPrimary;
    default: return kPrimary;
  }
}

class Printer {
 public:
  explicit Printer(const Program& program) : program_(program) {}

  std::string type_name(const Type& t) const {
    if (t.kind == Kind::kStruct && t.struct_id >= 0 && t.struct_id < int(program_.structs.size())) {
      return python_name(t, program_.structs[t.struct_id].name);
    }
    return python_name(t);
  }

  std::string expr(const Expr& e, int parent = 0, bool parens_on_equal = false) const {
    std::string s = bare(e);
    int p = precedence(e);
    if (p < parent || (parens_on_equal && p == parent)) return "(" + s + ")";
    return s;
  }

  std::string args(const Expr& e, size_t first = 0) const {
    std::string s;
    for (size_t i = first; i < e.args.size(); ++i) {
      if (i > first) s += ", ";
      s += expr(*e.args[i]);
    }
    return s;
  }

  // The callee part of a call-like expression ("wp.sin", "wp.vec3", "my_func"), or "".
  std::string callee(const Expr& e) const {
    switch (e.kind) {
      case ExprKind::kCall: return "wp." + e.text;
      case ExprKind::kFuncCall: return e.text;
      case ExprKind::kConstruct:
      case ExprKind::kCast: return type_name(e.type);
      default: return "";
    }
  }

  std::string bare(const Expr& e) const {
    switch (e.kind) {
      case ExprKind::kLiteral:
      case ExprKind::kVar: return e.text;
      case ExprKind::kCall:
      case ExprKind::kFuncCall:
      case ExprKind::kConstruct:
      case ExprKind::kCast: return callee(e) + "(" + args(e) + ")";
      case ExprKind::kBinary: {
        int p = binary_precedence(e.text);
        return expr(*e.args[0], p) + " " + e.text + " " + expr(*e.args[1], p, true);
      }
      case ExprKind::kUnary: return e.text + expr(*e.args[0], 12);
      case ExprKind::kCompare: return expr(*e.args[0], 6) + " " + e.text + " " + expr(*e.args[1], 6);
      case ExprKind::kBoolOp: {
        int p = e.text == "or" ? 2 : 3;
        return expr(*e.args[0], p) + " " + e.text + " " + expr(*e.args[1], p, true);
      }
      case ExprKind::kNot: return "not " + expr(*e.args[0], 4);
      case ExprKind::kTernary:
        return expr(*e.args[1], 2) + " if " + expr(*e.args[0], 2) + " else " + expr(*e.args[2], 1);
      case ExprKind::kIndex:
      case ExprKind::kComponent: return expr(*e.args[0], kPrimary) + "[" + args(e, 1) + "]";
      case ExprKind::kField: return expr(*e.args[0], kPrimary) + "." + e.text;
      case ExprKind::kShape: return expr(*e.args[0], kPrimary) + ".shape[" + std::to_string(e.signature) + "]";
    }
    return "";
  }

  // An expression laid out over lines when it does not fit, the way black lays out calls:
  // the callee and "(" on the first line, one argument per line (each laid out the same way),
  // ")" on the last. Only calls are broken; other expressions stay on one line.
  std::string laid_out(const Expr& e, const std::string& indent, size_t first_line_used) const {
    std::string flat = expr(e);
    std::string head = callee(e);
    if (first_line_used + flat.size() <= kMaxLine || head.empty() || e.args.empty()) return flat;
    std::string inner = indent + "    ";
    std::string joined = args(e);
    if (inner.size() + joined.size() <= kMaxLine) return head + "(\n" + inner + joined + "\n" + indent + ")";
    std::string s = head + "(\n";
    for (const auto& a : e.args) s += inner + laid_out(*a, inner, inner.size() + 1) + ",\n";
    return s + indent + ")";
  }

  void line_with_value(std::string& out, const std::string& indent, const std::string& prefix, const Expr& value) {
    out += indent + prefix + laid_out(value, indent, indent.size() + prefix.size()) + "\n";
  }

  void block(std::string& out, const Block& stmts, const std::string& indent) {
    if (stmts.empty()) {
      out += indent + "pass\n";
      return;
    }
    for (const auto& s : stmts) stmt(out, s, indent);
  }

  void stmt(std::string& out, const Stmt& s, const std::string& indent) {
    std::string inner = indent + "    ";
    switch (s.kind) {
      case StmtKind::kAssign: line_with_value(out, indent, s.name + " = ", *s.value); break;
      case StmtKind::kAugAssign: line_with_value(out, indent, s.name + " " + s.op + " ", *s.value); break;
      case StmtKind::kStore: line_with_value(out, indent, expr(*s.target) + " = ", *s.value); break;
      case StmtKind::kAugStore: line_with_value(out, indent, expr(*s.target) + " " + s.op + " ", *s.value); break;
      case StmtKind::kExpr: line_with_value(out, indent, "", *s.value); break;
      case StmtKind::kUnpack: {
        std::string names;
        for (size_t i = 0; i < s.names.size(); ++i) names += (i ? ", " : "") + s.names[i];
        line_with_value(out, indent, names + " = ", *s.value);
        break;
      }
      case StmtKind::kBreak: out += indent + "break\n"; break;
      case StmtKind::kContinue: out += indent + "continue\n"; break;
      case StmtKind::kReturn:
        if (s.value) line_with_value(out, indent, "return ", *s.value);
        else out += indent + "return\n";
        break;
      case StmtKind::kIf:
        out += indent + "if " + expr(*s.value) + ":\n";
        block(out, s.body, inner);
        for (const auto& e : s.elifs) {
          out += indent + "elif " + expr(*e.condition) + ":\n";
          block(out, e.body, inner);
        }
        if (!s.orelse.empty()) {
          out += indent + "else:\n";
          block(out, s.orelse, inner);
        }
        break;
      case StmtKind::kFor: {
        std::string range;
        for (size_t i = 0; i < s.range.size(); ++i) range += (i ? ", " : "") + expr(*s.range[i]);
        out += indent + "for " + s.name + " in range(" + range + "):\n";
        block(out, s.body, inner);
        break;
      }
      case StmtKind::kWhile:
        out += indent + "while " + expr(*s.value) + ":\n";
        block(out, s.body, inner);
        break;
    }
  }

  void signature(std::string& out, const std::string& name, const std::vector<Param>& params,
                 const std::string& returns) {
    std::string flat = "def " + name + "(";
    for (size_t i = 0; i < params.size(); ++i) {
      flat += (i ? ", " : "") + params[i].name + ": " + type_name(params[i].type);
    }
    flat += ")" + returns + ":";
    if (flat.size() <= kMaxLine) {
      out += flat + "\n";
      return;
    }
    out += "def " + name + "(\n";
    for (const auto& p : params) out += "    " + p.name + ": " + type_name(p.type) + ",\n";
    out += ")" + returns + ":\n";
  }

  std::string program() {
    std::string out = "import warp as wp\n";
    for (const auto& s : program_.structs) {
      out += "\n\n@wp.struct\nclass " + s.name + ":\n";
      for (const auto& f : s.fields) out += "    " + f.name + ": " + type_name(f.type) + "\n";
    }
    for (const auto& f : program_.funcs) {
      out += "\n\n@wp.func\n";
      signature(out, f.name, f.params, " -> " + type_name(f.returns));
      block(out, f.body, "    ");
    }
    out += "\n\n@wp.kernel\n";
    signature(out, program_.kernel.name, program_.kernel.params, "");
    block(out, program_.kernel.body, "    ");
    return out;
  }

 private:
  const Program& program_;
};

}  // namespace

std::string print_python(const Program& program) { return Printer(program).program(); }

std::string print_expr(const Program& program, const Expr& expr) { return Printer(program).expr(expr); }

}  // namespace warpsynth::model

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

  // Everything appends to `out`: printing is on the generator's hot path.
  void expr(std::string& out, const Expr& e, int parent = 0, bool parens_on_equal = false) const {
    int p = precedence(e);
    bool parens = p < parent || (parens_on_equal && p == parent);
    if (parens) out += '(';
    bare(out, e);
    if (parens) out += ')';
  }

  std::string expr(const Expr& e) const {
    std::string s;
    expr(s, e);
    return s;
  }

  void args(std::string& out, const Expr& e, size_t first = 0) const {
    for (size_t i = first; i < e.args.size(); ++i) {
      if (i > first) out += ", ";
      expr(out, *e.args[i]);
    }
  }

  // Appends the callee of a call-like expression ("wp.sin", "wp.vec3", "my_func"); false if none.
  bool callee(std::string& out, const Expr& e) const {
    switch (e.kind) {
      case ExprKind::kCall: out += "wp."; out += e.text; return true;
      case ExprKind::kFuncCall: out += e.text; return true;
      case ExprKind::kConstruct:
      case ExprKind::kCast: out += type_name(e.type); return true;
      default: return false;
    }
  }

  // `a op b`; the right operand is parenthesized at equal precedence when the operator is not
  // associative that way (a - (b - c)).
  void infix(std::string& out, const Expr& e, int precedence, bool right_parens_on_equal) const {
    expr(out, *e.args[0], precedence);
    out += ' ';
    out += e.text;
    out += ' ';
    expr(out, *e.args[1], precedence, right_parens_on_equal);
  }

  void bare(std::string& out, const Expr& e) const {
    switch (e.kind) {
      case ExprKind::kLiteral:
      case ExprKind::kVar: out += e.text; return;
      case ExprKind::kCall:
      case ExprKind::kFuncCall:
      case ExprKind::kConstruct:
      case ExprKind::kCast:
        callee(out, e);
        out += '(';
        args(out, e);
        out += ')';
        return;
      case ExprKind::kBinary: infix(out, e, binary_precedence(e.text), true); return;
      case ExprKind::kUnary: out += e.text; expr(out, *e.args[0], 12, true); return;
      case ExprKind::kCompare: infix(out, e, 6, false); return;  // operands above comparisons: no chains
      case ExprKind::kBoolOp: infix(out, e, e.text == "or" ? 2 : 3, true); return;
      case ExprKind::kNot: out += "not "; expr(out, *e.args[0], 4); return;
      case ExprKind::kTernary:
        expr(out, *e.args[1], 2);
        out += " if ";
        expr(out, *e.args[0], 2);
        out += " else ";
        expr(out, *e.args[2], 1);
        return;
      case ExprKind::kIndex:
      case ExprKind::kComponent:
        expr(out, *e.args[0], kPrimary);
        out += '[';
        args(out, e, 1);
        out += ']';
        return;
      case ExprKind::kField: expr(out, *e.args[0], kPrimary); out += '.'; out += e.text; return;
      case ExprKind::kShape:
        expr(out, *e.args[0], kPrimary);
        out += ".shape[";
        out += std::to_string(e.signature);
        out += ']';
        return;
    }
  }

  // An expression laid out over lines when it does not fit, the way black lays it out. A call:
  // the callee and "(" on the first line, one argument per line (each laid out the same way),
  // ")" on the last. A ternary or an operator: in parentheses, one operand per line, the
  // operator (or `if`/`else`) leading its line. Anything else stays on one line.
  void laid_out(std::string& out, const Expr& e, const std::string& indent, size_t first_line_used,
                bool parenthesize = true) const {
    size_t start = out.size();
    expr(out, e);
    if (first_line_used + (out.size() - start) <= kMaxLine || e.args.empty()) return;
    std::string inner = indent + "    ";
    bool callable = e.kind == ExprKind::kCall || e.kind == ExprKind::kFuncCall || e.kind == ExprKind::kConstruct ||
                    e.kind == ExprKind::kCast;
    bool split_infix = e.kind == ExprKind::kTernary || e.kind == ExprKind::kBinary || e.kind == ExprKind::kBoolOp;
    if (!callable && !split_infix) return;
    out.resize(start);
    if (split_infix) {
      // Operands keep the parentheses their precedence needs; the whole is parenthesized once.
      if (parenthesize) out += "(\n";
      const std::string& lead = parenthesize ? inner : indent;
      out += lead;
      if (e.kind == ExprKind::kTernary) {
        laid_out(out, *e.args[1], lead, lead.size());
        out += "\n" + lead + "if ";
        expr(out, *e.args[0], 2);
        out += "\n" + lead + "else ";
        laid_out(out, *e.args[2], lead, lead.size() + 5);
      } else {
        int p = precedence(e);
        if (precedence(*e.args[0]) < p) expr(out, *e.args[0], p);
        else laid_out(out, *e.args[0], lead, lead.size(), false);
        out += "\n" + lead + e.text + " ";
        if (precedence(*e.args[1]) <= p) expr(out, *e.args[1], p, true);
        else laid_out(out, *e.args[1], lead, lead.size() + e.text.size() + 1);
      }
      if (parenthesize) out += "\n" + indent + ")";
      return;
    }
    callee(out, e);
    out += "(\n";
    size_t args_start = out.size();
    out += inner;
    args(out, e);
    if (out.size() - args_start <= kMaxLine) {
      out += "\n" + indent + ")";
      return;
    }
    out.resize(args_start);
    for (const auto& a : e.args) {
      out += inner;
      laid_out(out, *a, inner, inner.size() + 1);
      out += ",\n";
    }
    out += indent + ")";
  }

  void line_with_value(std::string& out, const std::string& indent, const std::string& prefix, const Expr& value) {
    out += indent;
    out += prefix;
    laid_out(out, value, indent, indent.size() + prefix.size());
    out += '\n';
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
        out += indent + "if ";
        expr(out, *s.value);
        out += ":\n";
        block(out, s.body, inner);
        for (const auto& e : s.elifs) {
          out += indent + "elif ";
          expr(out, *e.condition);
          out += ":\n";
          block(out, e.body, inner);
        }
        if (!s.orelse.empty()) {
          out += indent + "else:\n";
          block(out, s.orelse, inner);
        }
        break;
      case StmtKind::kFor: {
        out += indent + "for " + s.name + " in range(";
        for (size_t i = 0; i < s.range.size(); ++i) {
          if (i) out += ", ";
          expr(out, *s.range[i]);
        }
        out += "):\n";
        block(out, s.body, inner);
        break;
      }
      case StmtKind::kWhile:
        out += indent + "while ";
        expr(out, *s.value);
        out += ":\n";
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
    std::string out;
    out.reserve(4096);
    out += "import warp as wp\n";
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

#include "model/printer.h"

#include <deque>
#include <string_view>

#include "model/black_layout.h"

namespace warpsynth::model {
namespace {

constexpr int kPrimary = 14;

int binary_precedence(std::string_view op) {
  // By first character: asked for every operator printed.
  switch (op.empty() ? '\0' : op[0]) {
    case '|': return 6;
    case '^': return 7;
    case '&': return 8;
    case '<':
    case '>': return 9;  // << >>
    case '+':
    case '-': return 10;
    default: return 11;  // * / // % @
  }
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

  std::string type_name(const Type& t) const { return std::string(cached_type_name(t)); }

  // A type's Python name, made once per type while printing a program (every constructor and
  // cast prints one: wp.vec3, wp.float64).
  const std::string& cached_type_name(const Type& t) const {
    for (const auto& [type, name] : type_names_) {
      if (type == t) return name;
    }
    std::string name = t.kind == Kind::kStruct && t.struct_id >= 0 && t.struct_id < int(program_.structs.size())
                           ? python_name(t, program_.structs[t.struct_id].name, program_.array_spelling)
                           : python_name(t, {}, program_.array_spelling);
    type_names_.emplace_back(t, std::move(name));
    return type_names_.back().second;
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
      case ExprKind::kCast: out += cached_type_name(e.type); return true;
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
      case ExprKind::kKeyword:
        out += e.text;
        out += '=';
        expr(out, *e.args[0]);
        return;
      case ExprKind::kTuple:
        out += '(';
        args(out, e);
        out += ')';
        return;
      case ExprKind::kFuncRef: out += e.text; return;
    }
  }

  // ---- statements as black's tokens (black_layout.h lays them out) ----

  // Leaves with black's whitespace: a space between tokens, except after an opening bracket or a
  // unary operator, before a closing bracket, comma, colon or trailer bracket, around a dot and
  // around a keyword argument's `=`.
  class Tokens {
   public:
    std::vector<black::Leaf> leaves;

    void push(black::LeafKind kind, std::string value, bool space, int before = 0, int after = 0) {
      black::Leaf leaf;
      leaf.kind = kind;
      leaf.value = std::move(value);
      leaf.space_before = space && !leaves.empty() && !glue_next_;
      leaf.priority_before = before;
      leaf.priority_after = after;
      glue_next_ = false;
      leaves.push_back(std::move(leaf));
    }
    // A name, a number, or a dotted name (`wp.vec3` is three leaves, as black sees it).
    void name(std::string_view text) {
      size_t start = 0;
      for (size_t dot = text.find('.'); dot != std::string_view::npos; dot = text.find('.', start)) {
        push(black::LeafKind::kName, std::string(text.substr(start, dot - start)), start == 0);
        push(black::LeafKind::kDot, ".", false);
        start = dot + 1;
        glue_next_ = true;
      }
      push(black::LeafKind::kName, std::string(text.substr(start)), true);
    }
    // A keyword or an operator, spaced on both sides; `before`: its delimiter priority, if any.
    void word(std::string text, int before = 0) { push(black::LeafKind::kName, std::move(text), true, before); }
    void unary(std::string text) {
      push(black::LeafKind::kOther, std::move(text), true);
      glue_next_ = true;
    }
    void open(const char* bracket, bool trailer) {
      push(black::LeafKind::kOpen, bracket, !trailer);
      leaves.back().trailer = trailer;
      glue_next_ = true;
    }
    void close(const char* bracket, bool trailer) {
      push(black::LeafKind::kClose, bracket, false);
      leaves.back().trailer = trailer;
    }
    // The optional parentheses black puts around a statement's value.
    void open_invisible() {
      push(black::LeafKind::kOpen, "", true);
      leaves.back().invisible = true;
      glue_next_ = true;
    }
    void close_invisible() {
      push(black::LeafKind::kClose, "", false);
      leaves.back().invisible = true;
    }
    void comma(bool annotation = false) {
      push(black::LeafKind::kComma, ",", false, 0, black::kCommaPriority);
      leaves.back().annotation = annotation;
    }
    void other(std::string text, bool space) { push(black::LeafKind::kOther, std::move(text), space); }
    void glue_next() { glue_next_ = true; }

   private:
    bool glue_next_ = false;
  };

  void args_leaves(Tokens& t, const Expr& e, size_t first = 0, bool in_parens = true) const {
    for (size_t i = first; i < e.args.size(); ++i) {
      if (i > first) t.comma();
      expr_leaves(t, *e.args[i], 0, false, in_parens && e.args.size() - first == 1);
    }
  }

  void infix_leaves(Tokens& t, const Expr& e, int precedence, bool right_parens_on_equal, int priority) const {
    expr_leaves(t, *e.args[0], precedence);
    t.word(e.text, priority);
    expr_leaves(t, *e.args[1], precedence, right_parens_on_equal);
  }

  // `alone`: the expression is all there is between a pair of parentheses (a call's only
  // argument, a parenthesized operand, a statement's value). Black puts every other conditional
  // expression in optional parentheses of its own (`visit_test`).
  void expr_leaves(Tokens& t, const Expr& e, int parent = 0, bool parens_on_equal = false, bool alone = false) const {
    int p = precedence(e);
    bool parens = p < parent || (parens_on_equal && p == parent);
    bool optional = !parens && !alone && e.kind == ExprKind::kTernary;
    if (parens) t.open("(", false);
    if (optional) t.open_invisible();
    bare_leaves(t, e);
    if (optional) t.close_invisible();
    if (parens) t.close(")", false);
  }

  void bare_leaves(Tokens& t, const Expr& e) const {
    switch (e.kind) {
      case ExprKind::kLiteral:
        if (!e.text.empty() && e.text[0] == '-') {  // a negative number: unary minus and operand
          t.unary("-");
          t.name(std::string_view(e.text).substr(1));
        } else {
          t.name(e.text);
        }
        return;
      case ExprKind::kVar: t.name(e.text); return;
      case ExprKind::kCall:
      case ExprKind::kFuncCall:
      case ExprKind::kConstruct:
      case ExprKind::kCast: {
        std::string name;
        callee(name, e);
        t.name(name);
        t.open("(", true);
        args_leaves(t, e);
        t.close(")", true);
        return;
      }
      case ExprKind::kBinary:
        infix_leaves(t, e, binary_precedence(e.text), true, black::math_priority(e.text));
        return;
      case ExprKind::kUnary: t.unary(e.text); expr_leaves(t, *e.args[0], 12, true); return;
      case ExprKind::kCompare: infix_leaves(t, e, 6, false, black::kComparatorPriority); return;
      case ExprKind::kBoolOp: infix_leaves(t, e, e.text == "or" ? 2 : 3, true, black::kLogicPriority); return;
      case ExprKind::kNot: t.word("not"); expr_leaves(t, *e.args[0], 4); return;
      case ExprKind::kTernary:
        expr_leaves(t, *e.args[1], 2);
        t.word("if", black::kTernaryPriority);
        expr_leaves(t, *e.args[0], 2);
        t.word("else", black::kTernaryPriority);
        expr_leaves(t, *e.args[2], 1);
        return;
      case ExprKind::kIndex:
      case ExprKind::kComponent:
        expr_leaves(t, *e.args[0], kPrimary);
        t.open("[", true);
        args_leaves(t, e, 1, false);
        t.close("]", true);
        return;
      case ExprKind::kField:
        expr_leaves(t, *e.args[0], kPrimary);
        t.push(black::LeafKind::kDot, ".", false);
        t.glue_next();
        t.name(e.text);
        return;
      case ExprKind::kShape:
        expr_leaves(t, *e.args[0], kPrimary);
        t.push(black::LeafKind::kDot, ".", false);
        t.glue_next();
        t.name("shape");
        t.open("[", true);
        t.name(std::to_string(e.signature));
        t.close("]", true);
        return;
      case ExprKind::kKeyword:
        t.name(e.text);
        t.other("=", false);
        t.glue_next();
        expr_leaves(t, *e.args[0]);
        return;
      case ExprKind::kTuple:
        t.open("(", false);
        args_leaves(t, e, 0, false);
        t.close(")", false);
        return;
      case ExprKind::kFuncRef: t.name(e.text); return;
    }
  }

  // A type annotation as tokens: `wp.array2d(dtype=wp.vec3)`, `wp.array2d[wp.vec3]`, `float`, `Particle`.
  void annotation_leaves(Tokens& t, const Type& type) const {
    std::string text = type_name(type);
    size_t open = text.find('(');
    if (open == std::string::npos) {
      t.name(text);
      return;
    }
    t.name(std::string_view(text).substr(0, open));
    t.open("(", true);
    std::string_view inner = std::string_view(text).substr(open + 1, text.size() - open - 2);
    size_t start = 0;
    while (start < inner.size()) {
      size_t comma = inner.find(", ", start);
      std::string_view item = inner.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      size_t equal = item.find('=');
      if (start > 0) t.comma(true);
      t.name(item.substr(0, equal));
      t.other("=", false);
      t.glue_next();
      t.name(item.substr(equal + 1));
      if (comma == std::string_view::npos) break;
      start = comma + 2;
    }
    t.close(")", true);
  }

  // One logical line: written flat by `flat` when it fits in black's line length (most lines;
  // printing is on the generator's hot path, so straight into `out`), else taken back and laid out
  // as black does from the tokens `build` makes.
  template <typename Flat, typename Build>
  static void line(std::string& out, int depth, Flat flat, Build build) {
    const size_t start = out.size();
    out.append(4 * depth, ' ');
    flat(out);
    if (static_cast<int>(out.size() - start) <= black::kLineLength) {
      out.push_back('\n');
      return;
    }
    out.resize(start);
    Tokens t;
    t.leaves.reserve(128);
    build(t);
    for (const auto& l : black::layout(std::move(t.leaves), depth)) out.append(l).push_back('\n');
  }

  // `target op value`, with the optional parentheses black puts around an assigned value.
  template <typename TargetFlat, typename Target>
  void assignment(std::string& out, int depth, TargetFlat target_flat, Target target, const std::string& op,
                  const Expr& value) const {
    line(
        out, depth,
        [&](std::string& o) {
          target_flat(o);
          o += ' ';
          o += op;
          o += ' ';
          expr(o, value);
        },
        [&](Tokens& t) {
          target(t);
          t.push(black::LeafKind::kAssign, op, true);
          value_in_optional_parens(t, value);
        });
  }

  void value_in_optional_parens(Tokens& t, const Expr& value) const {
    t.open_invisible();
    expr_leaves(t, value, 0, false, true);
    t.close_invisible();
  }

  // `keyword value:` (if, elif, while) with the optional parentheses around the value.
  void header(std::string& out, int depth, const char* keyword, const Expr& value) const {
    line(
        out, depth,
        [&](std::string& o) {
          o += keyword;
          o += ' ';
          expr(o, value);
          o += ':';
        },
        [&](Tokens& t) {
          t.word(keyword);
          value_in_optional_parens(t, value);
          t.other(":", false);
        });
  }

  void block(std::string& out, const Block& stmts, int depth) {
    if (stmts.empty()) {
      out.append(4 * depth, ' ').append("pass\n");
      return;
    }
    for (const auto& s : stmts) stmt(out, s, depth);
  }

  void stmt(std::string& out, const Stmt& s, int depth) {
    std::string indent(4 * depth, ' ');
    auto name = [&](const std::string& n) { return [&n](Tokens& t) { t.name(n); }; };
    auto name_flat = [&](const std::string& n) { return [&n](std::string& o) { o += n; }; };
    auto target = [&](const Expr& e) { return [this, &e](Tokens& t) { expr_leaves(t, e); }; };
    auto target_flat = [&](const Expr& e) { return [this, &e](std::string& o) { expr(o, e); }; };
    switch (s.kind) {
      case StmtKind::kAssign: assignment(out, depth, name_flat(s.name), name(s.name), "=", *s.value); break;
      case StmtKind::kAugAssign: assignment(out, depth, name_flat(s.name), name(s.name), s.op, *s.value); break;
      case StmtKind::kStore: assignment(out, depth, target_flat(*s.target), target(*s.target), "=", *s.value); break;
      case StmtKind::kAugStore:
        assignment(out, depth, target_flat(*s.target), target(*s.target), s.op, *s.value);
        break;
      case StmtKind::kExpr:
        line(out, depth, [&](std::string& o) { expr(o, *s.value); }, [&](Tokens& t) { expr_leaves(t, *s.value); });
        break;
      case StmtKind::kUnpack: {
        auto names = [&](std::string& o) {
          for (size_t i = 0; i < s.names.size(); ++i) {
            if (i) o += ", ";
            o += s.names[i];
          }
        };
        // Black puts a tuple target in optional parentheses too.
        auto tuple = [&](Tokens& t) {
          t.open_invisible();
          for (size_t i = 0; i < s.names.size(); ++i) {
            if (i) t.comma();
            t.name(s.names[i]);
          }
          t.close_invisible();
        };
        assignment(out, depth, names, tuple, "=", *s.value);
        break;
      }
      case StmtKind::kBreak: out += indent + "break\n"; break;
      case StmtKind::kContinue: out += indent + "continue\n"; break;
      case StmtKind::kPass: out += indent + "pass\n"; break;
      case StmtKind::kReturn:
        if (!s.value) {
          out += indent + "return\n";
          break;
        }
        line(
            out, depth,
            [&](std::string& o) {
              o += "return ";
              expr(o, *s.value);
            },
            [&](Tokens& t) {
              t.word("return");
              value_in_optional_parens(t, *s.value);
            });
        break;
      case StmtKind::kIf:
        header(out, depth, "if", *s.value);
        block(out, s.body, depth + 1);
        for (const auto& e : s.elifs) {
          header(out, depth, "elif", *e.condition);
          block(out, e.body, depth + 1);
        }
        if (!s.orelse.empty()) {
          out += indent + "else:\n";
          block(out, s.orelse, depth + 1);
        }
        break;
      case StmtKind::kFor: {
        auto flat = [&](std::string& o) {
          o += "for ";
          o += s.name;
          o += " in range(";
          for (size_t i = 0; i < s.range.size(); ++i) {
            if (i) o += ", ";
            expr(o, *s.range[i]);
          }
          o += "):";
        };
        line(out, depth, flat, [&](Tokens& t) {
          t.word("for");
          t.open_invisible();
          t.name(s.name);
          t.close_invisible();
          t.word("in");
          t.open_invisible();
          t.name("range");
          t.open("(", true);
          for (size_t i = 0; i < s.range.size(); ++i) {
            if (i) t.comma();
            expr_leaves(t, *s.range[i], 0, false, s.range.size() == 1);
          }
          t.close(")", true);
          t.close_invisible();
          t.other(":", false);
        });
        block(out, s.body, depth + 1);
        break;
      }
      case StmtKind::kWhile:
        header(out, depth, "while", *s.value);
        block(out, s.body, depth + 1);
        break;
    }
  }

  void signature(std::string& out, const std::string& name, const std::vector<Param>& params, const Type* returns) {
    std::string text = "def " + name + "(";
    std::string body;
    for (size_t i = 0; i < params.size(); ++i) body += (i ? ", " : "") + params[i].name + ": " + type_name(params[i].type);
    text += body + ")";
    std::string tail = ")";
    if (returns) tail += " -> " + type_name(*returns);
    tail += ":";
    if (returns) text += " -> " + type_name(*returns);
    // What black's left-hand split of a `def` gives, written directly (this is on the generator's
    // hot path): the parameters on one indented line if they fit, else one per line with a
    // trailing comma. tests/e2e/test_black_format.py checks it against black.
    if (static_cast<int>(text.size()) + 1 > black::kLineLength && !params.empty()) {
      out += "def " + name + "(\n";
      if (4 + static_cast<int>(body.size()) <= black::kLineLength) {
        out += "    " + body + "\n";
      } else {
        for (const auto& p : params) out += "    " + p.name + ": " + type_name(p.type) + ",\n";
      }
      out += tail + "\n";
      return;
    }
    line(out, 0, [&](std::string& o) { (o += text) += ':'; }, [&](Tokens& t) {
      t.word("def");
      t.name(name);
      t.open("(", true);
      for (size_t i = 0; i < params.size(); ++i) {
        if (i) t.comma();
        t.name(params[i].name);
        t.other(":", false);
        annotation_leaves(t, params[i].type);
      }
      t.close(")", true);
      if (returns) {
        t.other("->", true);
        t.open_invisible();
        annotation_leaves(t, *returns);
        t.close_invisible();
      }
      t.other(":", false);
    });
  }

  // Black leaves a docstring as written; a blank line does not follow it in a function.
  static void docstring(std::string& out, const std::string& doc) {
    if (doc.empty()) return;
    out += "    \"\"\"" + doc + "\"\"\"\n";
  }

  std::string program() {
    std::string out;
    out.reserve(4096);
    out += "import warp as wp\n";
    if (!program_.module_options.empty()) {
      std::string options;
      for (const auto& [name, value] : program_.module_options) {
        options += (options.empty() ? "" : ", ") + ("\"" + name + "\": " + value);
      }
      out += "\nwp.set_module_options({" + options + "})\n";
    }
    for (const auto& s : program_.structs) {
      out += "\n\n@wp.struct\nclass " + s.name + ":\n";
      for (const auto& f : s.fields) out += "    " + f.name + ": " + type_name(f.type) + "\n";
    }
    for (const auto& f : program_.funcs) {
      out += "\n\n@wp.func\n";
      signature(out, f.name, f.params, &f.returns);
      docstring(out, f.doc);
      block(out, f.body, 1);
    }
    out += "\n\n@wp.kernel\n";
    signature(out, program_.kernel.name, program_.kernel.params, nullptr);
    docstring(out, program_.kernel.doc);
    block(out, program_.kernel.body, 1);
    return out;
  }

 private:
  const Program& program_;
  mutable std::deque<std::pair<Type, std::string>> type_names_;  // deque: the names stay where they are
};

}  // namespace

std::string print_python(const Program& program) { return Printer(program).program(); }

std::string print_expr(const Program& program, const Expr& expr) { return Printer(program).expr(expr); }

}  // namespace warpsynth::model

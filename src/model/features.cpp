#include "model/features.h"

#include <map>
#include <unordered_set>

namespace warpsynth::model {
namespace {

class Walker {
 public:
  Walker(const catalog::Catalog& catalog, Features& out) : catalog_(catalog), out_(out) {}

  // Types are kept as small codes while walking (this runs for every node) and named once.
  void type(const Type& t) {
    codes_.insert(std::uint64_t(t.kind) | std::uint64_t(t.scalar) << 8 | std::uint64_t(t.rows) << 16 |
                  std::uint64_t(t.cols) << 24 | std::uint64_t(t.array_ndim) << 32 |
                  std::uint64_t(std::uint16_t(t.kind == Kind::kOpaque ? t.struct_id : 0)) << 40);
  }

  void name_types() {
    for (std::uint64_t code : codes_) {
      Type t;
      t.kind = Kind(code & 0xff);
      t.scalar = Scalar((code >> 8) & 0xff);
      t.rows = std::uint8_t(code >> 16);
      t.cols = std::uint8_t(code >> 24);
      t.array_ndim = std::uint8_t(code >> 32);
      if (t.kind == Kind::kOpaque) t.struct_id = std::int16_t(code >> 40);
      if (t.is_array()) {
        out_.types.insert("array" + std::to_string(t.array_ndim) + "d");
        t.array_ndim = 0;
      }
      if (t.kind == Kind::kStruct) out_.types.insert("struct");
      else if (t.kind != Kind::kVoid && !t.is_opaque(Opaque::kTuple)) out_.types.insert(warp_name(t));
    }
  }

  void expr(const Expr& e) {
    type(e.type);
    switch (e.kind) {
      case ExprKind::kCall:
      case ExprKind::kBinary:
      case ExprKind::kUnary:
        out_.builtins.insert(e.signature >= 0 ? catalog_[e.signature].key : e.text);
        if (e.text.rfind("atomic_", 0) == 0) out_.constructs.insert("atomic");
        break;
      case ExprKind::kConstruct:
        switch (e.type.kind) {
          case Kind::kVector: out_.builtins.insert("vector"); break;
          case Kind::kMatrix: out_.builtins.insert("matrix"); break;
          case Kind::kQuat: out_.builtins.insert("quaternion"); break;
          case Kind::kTransform: out_.builtins.insert("transformation"); break;
          case Kind::kSpatialVector: out_.builtins.insert("spatial_vector"); break;
          case Kind::kSpatialMatrix: out_.builtins.insert("spatial_matrix"); break;
          default: break;
        }
        break;
      case ExprKind::kCompare: out_.constructs.insert("compare"); break;
      case ExprKind::kBoolOp:
      case ExprKind::kNot: out_.constructs.insert("bool_op"); break;
      case ExprKind::kTernary: out_.constructs.insert("ternary"); break;
      // float(1.0) declares a mutable local, wp.float64(2.0) writes a literal: neither converts a value
      case ExprKind::kCast:
        if (!e.args.empty() && e.args[0]->kind != ExprKind::kLiteral) out_.constructs.insert("cast");
        break;
      case ExprKind::kComponent: out_.constructs.insert("component_read"); break;
      case ExprKind::kField: out_.constructs.insert("struct_field"); break;
      case ExprKind::kFuncCall: out_.constructs.insert("func_call"); break;
      case ExprKind::kFuncRef:
        if (e.text.rfind("wp.", 0) == 0 && e.type.is_void()) out_.builtins.insert(e.text.substr(3));  // wp.tile_map(wp.sin, t)
        else out_.constructs.insert("func_call");
        break;
      default: break;
    }
    for (const auto& a : e.args) expr(*a);
  }

  void block(const Block& b, bool in_kernel) {
    for (const auto& s : b) stmt(s, in_kernel);
  }

  void stmt(const Stmt& s, bool in_kernel) {
    switch (s.kind) {
      case StmtKind::kAssign: out_.constructs.insert(s.declares ? "local" : "reassign"); break;
      case StmtKind::kAugAssign: out_.constructs.insert("aug_assign"); break;
      case StmtKind::kStore:
        out_.constructs.insert(s.target->kind == ExprKind::kIndex ? "array_store" : "component_store");
        break;
      case StmtKind::kAugStore:
        // `a[i] += v` on an array is an atomic add in Warp
        out_.constructs.insert(s.target->kind == ExprKind::kIndex ? "atomic" : "component_store");
        break;
      case StmtKind::kUnpack:
        out_.constructs.insert(s.value && s.value->text == "tid" && s.value->signature < 0 ? "tid_nd" : "tuple_unpack");
        break;
      case StmtKind::kIf:
        out_.constructs.insert("if");
        if (in_kernel && s.body.size() == 1 && s.body[0].kind == StmtKind::kReturn) out_.constructs.insert("early_return");
        if (!s.elifs.empty()) out_.constructs.insert("elif");
        if (!s.orelse.empty()) out_.constructs.insert("else");
        break;
      case StmtKind::kFor:
        out_.constructs.insert("for_range");
        if (s.range.size() == 3) out_.constructs.insert("for_range_step");
        break;
      case StmtKind::kWhile: out_.constructs.insert("while"); break;
      case StmtKind::kBreak: out_.constructs.insert("break"); break;
      case StmtKind::kContinue: out_.constructs.insert("continue"); break;
      default: break;
    }
    if (s.target) expr(*s.target);
    if (s.value) expr(*s.value);
    for (const auto& r : s.range) expr(*r);
    block(s.body, in_kernel);
    for (const auto& e : s.elifs) {
      expr(*e.condition);
      block(e.body, in_kernel);
    }
    block(s.orelse, in_kernel);
  }

 private:
  const catalog::Catalog& catalog_;
  Features& out_;
  std::unordered_set<std::uint64_t> codes_;
};

}  // namespace

Features collect_features(const Program& program, const catalog::Catalog& catalog) {
  Features f;
  Walker w(catalog, f);
  for (const auto& s : program.structs) {
    for (const auto& field : s.fields) w.type(field.type);
  }
  std::map<std::string, int> overloads;
  for (const auto& fn : program.funcs) {
    if (++overloads[fn.name] == 2) f.constructs.insert("func_overload");
    for (const auto& p : fn.params) w.type(p.type);
    w.type(fn.returns);
    w.block(fn.body, false);
  }
  for (const auto& p : program.kernel.params) w.type(p.type);
  w.block(program.kernel.body, true);
  w.name_types();
  return f;
}

}  // namespace warpsynth::model

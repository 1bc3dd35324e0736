#include "model/features.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <vector>

namespace warpsynth::model {
namespace {

// The names seen while walking a program's thousands of nodes, kept as views. Most come from a
// few places (catalog keys, string literals), so they are told apart by address, which costs no
// string comparison; views of equal text at other addresses are merged when sorted (finish()).
class SeenNames {
 public:
  void insert(std::string_view name) {
    for (const auto& n : names_) {
      if (n.data() == name.data() && n.size() == name.size()) return;
    }
    names_.push_back(name);
  }
  auto begin() const { return names_.begin(); }
  auto end() const { return names_.end(); }

 private:
  std::vector<std::string_view> names_;
};

class Walker {
 public:
  Walker(const catalog::Catalog& catalog, Features& out) : catalog_(catalog), out_(out) {}

  // Types are kept as small codes while walking (this runs for every node) and named once.
  void type(const Type& t) {
    const std::uint64_t code = std::uint64_t(t.kind) | std::uint64_t(t.scalar) << 8 | std::uint64_t(t.rows) << 16 |
                               std::uint64_t(t.cols) << 24 | std::uint64_t(t.array_ndim) << 32 |
                               std::uint64_t(std::uint16_t(t.kind == Kind::kOpaque ? t.struct_id : 0)) << 40;
    if (code == last_code_) return;  // a node's operands often have its type
    last_code_ = code;
    if (std::find(codes_.begin(), codes_.end(), code) == codes_.end()) codes_.push_back(code);  // a few distinct
  }

  void finish() {
    name_types();
    auto sorted = [](std::vector<std::string>& out, const SeenNames& names) {
      std::vector<std::string_view> views(names.begin(), names.end());  // sorted as views: no string moves
      std::sort(views.begin(), views.end());
      views.erase(std::unique(views.begin(), views.end()), views.end());
      out.assign(views.begin(), views.end());
    };
    sorted(out_.builtins, builtins_);
    sorted(out_.constructs, constructs_);
    sorted(out_.types, types_);
  }

  // Types are named once each, from the codes seen.
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
        type_names_.push_back("array" + std::to_string(t.array_ndim) + "d");
        t.array_ndim = 0;
      }
      if (t.kind == Kind::kStruct) type_names_.push_back("struct");
      else if (t.kind != Kind::kVoid && !t.is_opaque(Opaque::kTuple)) type_names_.push_back(warp_name(t));
    }
    for (const auto& n : type_names_) types_.insert(n);
  }

  void construct(std::string_view name) { constructs_.insert(name); }

  void expr(const Expr& e) {
    type(e.type);
    switch (e.kind) {
      case ExprKind::kCall:
      case ExprKind::kBinary:
      case ExprKind::kUnary:
        builtins_.insert(e.signature >= 0 ? catalog_[e.signature].key : e.text);
        if (e.text.rfind("atomic_", 0) == 0) constructs_.insert("atomic");
        break;
      case ExprKind::kConstruct:
        switch (e.type.kind) {
          case Kind::kVector: builtins_.insert("vector"); break;
          case Kind::kMatrix: builtins_.insert("matrix"); break;
          case Kind::kQuat: builtins_.insert("quaternion"); break;
          case Kind::kTransform: builtins_.insert("transformation"); break;
          case Kind::kSpatialVector: builtins_.insert("spatial_vector"); break;
          case Kind::kSpatialMatrix: builtins_.insert("spatial_matrix"); break;
          default: break;
        }
        break;
      case ExprKind::kCompare: constructs_.insert("compare"); break;
      case ExprKind::kBoolOp:
      case ExprKind::kNot: constructs_.insert("bool_op"); break;
      case ExprKind::kTernary: constructs_.insert("ternary"); break;
      // float(1.0) declares a mutable local, wp.float64(2.0) writes a literal: neither converts a value
      case ExprKind::kCast:
        if (!e.args.empty() && e.args[0]->kind != ExprKind::kLiteral) constructs_.insert("cast");
        break;
      case ExprKind::kComponent: constructs_.insert("component_read"); break;
      case ExprKind::kField: constructs_.insert("struct_field"); break;
      case ExprKind::kFuncCall: constructs_.insert("func_call"); break;
      case ExprKind::kFuncRef:
        if (e.text.rfind("wp.", 0) == 0 && e.type.is_void()) builtins_.insert(std::string_view(e.text).substr(3));  // wp.tile_map(wp.sin, t)
        else constructs_.insert("func_call");
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
      case StmtKind::kAssign: constructs_.insert(s.declares ? "local" : "reassign"); break;
      case StmtKind::kAugAssign: constructs_.insert("aug_assign"); break;
      case StmtKind::kStore:
        constructs_.insert(s.target->kind == ExprKind::kIndex ? "array_store" : "component_store");
        break;
      case StmtKind::kAugStore:
        // `a[i] += v` on an array is an atomic add in Warp
        constructs_.insert(s.target->kind == ExprKind::kIndex ? "atomic" : "component_store");
        break;
      case StmtKind::kUnpack:
        constructs_.insert(s.value && s.value->text == "tid" && s.value->signature < 0 ? "tid_nd" : "tuple_unpack");
        break;
      case StmtKind::kIf:
        constructs_.insert("if");
        if (in_kernel && s.body.size() == 1 && s.body[0].kind == StmtKind::kReturn) constructs_.insert("early_return");
        if (!s.elifs.empty()) constructs_.insert("elif");
        if (!s.orelse.empty()) constructs_.insert("else");
        break;
      case StmtKind::kFor:
        constructs_.insert("for_range");
        if (s.range.size() == 3) constructs_.insert("for_range_step");
        break;
      case StmtKind::kWhile: constructs_.insert("while"); break;
      case StmtKind::kBreak: constructs_.insert("break"); break;
      case StmtKind::kContinue: constructs_.insert("continue"); break;
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
  std::vector<std::uint64_t> codes_;
  std::uint64_t last_code_ = ~std::uint64_t{0};
  // Names seen while walking, as views of the catalog's keys, the program's texts and literals:
  // each becomes a string once, in finish().
  SeenNames builtins_, constructs_, types_;
  std::vector<std::string> type_names_;  // what types_ views
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
    if (++overloads[fn.name] == 2) w.construct("func_overload");
    for (const auto& p : fn.params) w.type(p.type);
    w.type(fn.returns);
    w.block(fn.body, false);
  }
  for (const auto& p : program.kernel.params) w.type(p.type);
  w.block(program.kernel.body, true);
  w.finish();
  return f;
}

}  // namespace warpsynth::model

#include "generator/per_thread.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace warpsynth::generator {
namespace {

using model::Block;
using model::Expr;
using model::ExprKind;
using model::Stmt;
using model::StmtKind;

// Names whose value differs between threads, grown to a fixpoint over the body (flow-insensitive:
// a local assigned a per-thread value anywhere counts as per-thread everywhere).
class Dependence {
 public:
  bool per_thread(const Expr& e) const {
    if (e.kind == ExprKind::kVar) return has(e.text);
    if (e.kind == ExprKind::kLiteral) return false;
    if (e.kind == ExprKind::kCall && e.text == "tid") return true;
    for (const auto& a : e.args) {
      if (per_thread(*a)) return true;
    }
    return false;
  }

  // `i = wp.tid()`, `i, j = wp.tid()`: the names of the thread index.
  void seed_thread_index(const Stmt& s) {
    if (!s.value || s.value->kind != ExprKind::kCall || s.value->text != "tid") return;
    if (s.kind == StmtKind::kAssign) add(s.name);
    for (const auto& n : s.names) add(n);
  }

  // One pass over a block; true when a name was added.
  bool grow(const Block& block, bool control) {
    bool added = false;
    for (const auto& s : block) {
      const bool value = s.value && per_thread(*s.value);
      switch (s.kind) {
        case StmtKind::kAssign:
        case StmtKind::kAugAssign:
          if (value || control) added |= add(s.name);
          break;
        case StmtKind::kUnpack:
          for (const auto& n : s.names) {
            if (value || control) added |= add(n);
          }
          break;
        case StmtKind::kStore:
        case StmtKind::kAugStore:
          // a component of a local updated with a per-thread value
          if ((value || control) && s.target->kind != ExprKind::kIndex) added |= add(base_name(*s.target));
          break;
        case StmtKind::kExpr:
          // an in-place builtin on a local (wp.transform_set_rotation(x, q))
          if ((value || control) && !s.value->args.empty() && s.value->args[0]->kind == ExprKind::kVar) {
            added |= add(s.value->args[0]->text);
          }
          break;
        case StmtKind::kFor: {
          bool bounds = std::any_of(s.range.begin(), s.range.end(), [&](const model::ExprPtr& r) { return per_thread(*r); });
          if (bounds || control) added |= add(s.name);
          added |= grow(s.body, control || bounds);
          break;
        }
        case StmtKind::kWhile:
        case StmtKind::kIf: {
          bool inner = control || value;
          added |= grow(s.body, inner);
          for (const auto& e : s.elifs) {
            inner = inner || per_thread(*e.condition);
            added |= grow(e.body, inner);
          }
          added |= grow(s.orelse, inner);
          break;
        }
        default: break;
      }
    }
    return added;
  }

  // Does an output of the block store a per-thread value?
  bool stores(const Block& block, bool control) const {
    for (const auto& s : block) {
      const bool value = s.value && per_thread(*s.value);
      switch (s.kind) {
        case StmtKind::kStore:
          if (s.target->kind == ExprKind::kIndex && (value || control)) return true;
          break;
        case StmtKind::kAugStore:
          // an accumulation: where it lands may be what differs (bins[b] += 1, b from the thread)
          if (s.target->kind == ExprKind::kIndex && (value || control || per_thread(*s.target))) return true;
          break;
        case StmtKind::kExpr:
          if (value || control) return true;  // an atomic, a tile store: a call made for its effect
          break;
        case StmtKind::kFor: {
          bool bounds = std::any_of(s.range.begin(), s.range.end(), [&](const model::ExprPtr& r) { return per_thread(*r); });
          if (stores(s.body, control || bounds)) return true;
          break;
        }
        case StmtKind::kWhile:
        case StmtKind::kIf: {
          bool inner = control || value;
          if (stores(s.body, inner)) return true;
          for (const auto& e : s.elifs) {
            inner = inner || per_thread(*e.condition);
            if (stores(e.body, inner)) return true;
          }
          if (stores(s.orelse, inner)) return true;
          break;
        }
        default: break;
      }
    }
    return false;
  }

 private:
  static const std::string& base_name(const Expr& target) {
    const Expr* e = &target;
    while (!e->args.empty() && e->kind != ExprKind::kVar) e = e->args[0].get();
    return e->text;
  }
  bool has(std::string_view name) const { return std::find(names_.begin(), names_.end(), name) != names_.end(); }
  bool add(std::string_view name) {
    if (name.empty() || has(name)) return false;
    names_.push_back(name);
    return true;
  }

  std::vector<std::string_view> names_;  // views of the kernel's own names
};

}  // namespace

bool stores_per_thread_values(const model::KernelDef& kernel) {
  Dependence d;
  // Most kernels store an expression of the thread index or of an element at once: the thread
  // index alone answers; the locals' fixpoint is grown only when it does not.
  for (const auto& s : kernel.body) {
    if (s.kind == StmtKind::kAssign || s.kind == StmtKind::kUnpack) d.seed_thread_index(s);
  }
  if (d.stores(kernel.body, false)) return true;
  for (int round = 0; round < 32 && d.grow(kernel.body, false); ++round) {
  }
  return d.stores(kernel.body, false);
}

}  // namespace warpsynth::generator

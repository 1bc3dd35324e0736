#include "generator/prune.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "model/liveness.h"

namespace warpsynth::generator {
namespace {

using model::Block;
using model::Expr;
using model::ExprKind;
using model::Program;
using model::Stmt;
using model::StmtKind;
using model::Type;

// The if statement made of the branches of `s` from its elif `first` on: `if c1: b1 elif c2: b2
// ... else: e`.
Stmt if_from_elifs(Stmt& s, size_t first) {
  Stmt rest;
  rest.kind = StmtKind::kIf;
  rest.value = std::move(s.elifs[first].condition);
  rest.body = std::move(s.elifs[first].body);
  for (size_t k = first + 1; k < s.elifs.size(); ++k) rest.elifs.push_back(std::move(s.elifs[k]));
  rest.orelse = std::move(s.orelse);
  s.elifs.resize(first);
  s.orelse.clear();
  return rest;
}

// An if whose branches dead-code elimination emptied, written without `pass` (which no person
// writes there: 0.4% of real kernels, 4% of generated ones before): `if a: pass elif b: X` becomes
// `if not a: if b: X`, and `elif b: pass elif c: Y` becomes `elif not b: if c: Y`. The branches
// run exactly when they ran before.
void fold_empty_branches(Stmt& s) {
  if (s.kind != StmtKind::kIf) return;
  if (s.body.empty() && !s.elifs.empty()) {
    Stmt rest = if_from_elifs(s, 0);
    s.value = model::negation_of(std::move(s.value));
    s.body.push_back(std::move(rest));
    fold_empty_branches(s.body.back());
    return;
  }
  for (size_t k = 0; k < s.elifs.size(); ++k) {
    if (!s.elifs[k].body.empty()) continue;
    model::Elif& emptied = s.elifs[k];
    emptied.condition = model::negation_of(std::move(emptied.condition));
    if (k + 1 == s.elifs.size()) {  // only the else after it: `elif not b: <else>`
      emptied.body = std::move(s.orelse);
      s.orelse.clear();
      return;
    }
    Stmt rest = if_from_elifs(s, k + 1);
    s.elifs[k].body.push_back(std::move(rest));
    fold_empty_branches(s.elifs[k].body.back());
    return;
  }
}

template <typename Fn>
void for_all_code(Program& p, Fn&& fn) {
  for (auto& f : p.funcs) model::for_each_expr(f.body, fn);
  model::for_each_expr(p.kernel.body, fn);
}

// Which of `params` the body reads (an augmented assignment reads the name it updates).
std::vector<bool> params_read(const std::vector<model::Param>& params, const Block& body) {
  std::vector<bool> read(params.size(), false);
  auto mark = [&](const std::string& name) {
    for (size_t k = 0; k < params.size(); ++k) {
      if (params[k].name == name) read[k] = true;
    }
  };
  model::for_each_expr(body, [&](const Expr& e) {
    if (e.kind == ExprKind::kVar) mark(e.text);
  });
  model::for_each_stmt(body, [&](const Stmt& s) {
    if (s.kind == StmtKind::kAugAssign) mark(s.name);
  });
  return read;
}

bool mentions(const Stmt& s, const std::string& name) {
  if (s.name == name) return true;
  if (std::find(s.names.begin(), s.names.end(), name) != s.names.end()) return true;
  if ((s.target && model::reads_name(*s.target, name)) || (s.value && model::reads_name(*s.value, name))) return true;
  for (const auto& r : s.range) {
    if (model::reads_name(*r, name)) return true;
  }
  for (const auto& b : s.body) {
    if (mentions(b, name)) return true;
  }
  for (const auto& e : s.elifs) {
    if (model::reads_name(*e.condition, name)) return true;
    for (const auto& b : e.body) {
      if (mentions(b, name)) return true;
    }
  }
  for (const auto& b : s.orelse) {
    if (mentions(b, name)) return true;
  }
  return false;
}

// Removes what the analysis found; true when anything went. The analysis names statements by
// address, so a block's decisions are all taken before any of its statements moves.
bool remove_dead(Block& block, const model::Liveness& live) {
  bool changed = false;
  std::vector<bool> drop(block.size(), false);
  std::vector<bool> promoted(block.size(), false);  // now the declaration: stays for this round
  for (size_t i = 0; i < block.size(); ++i) {
    Stmt& s = block[i];
    if (promoted[i]) continue;
    if (live.is_useless_loop(&s)) {
      drop[i] = true;
      continue;
    }
    if (!live.is_dead(&s)) continue;
    if (s.kind != StmtKind::kAssign || !s.declares) {
      drop[i] = true;
      continue;
    }
    // The declaration goes only when the name is never mentioned again, or when the next statement
    // that mentions it is a plain assignment at this level, which then declares it: a name first
    // written in a branch would not be declared after the branch.
    size_t j = i + 1;
    while (j < block.size() && !mentions(block[j], s.name)) ++j;
    if (j == block.size()) {
      drop[i] = true;
    } else if (block[j].kind == StmtKind::kAssign && block[j].name == s.name) {
      if (!model::reads_name(*block[j].value, s.name)) {
        block[j].declares = true;
        promoted[j] = true;
        drop[i] = true;
      }
    }
  }
  for (size_t i = 0; i < block.size(); ++i) {
    if (drop[i]) continue;
    Stmt& s = block[i];
    changed |= remove_dead(s.body, live);
    for (auto& e : s.elifs) changed |= remove_dead(e.body, live);
    changed |= remove_dead(s.orelse, live);
    if (s.kind == StmtKind::kIf) {
      // Branches emptied: drop the statement, or keep the branches that still do something.
      while (!s.elifs.empty() && s.elifs.back().body.empty() && s.orelse.empty()) s.elifs.pop_back();
      if (s.body.empty() && s.elifs.empty()) {
        if (s.orelse.empty()) {
          drop[i] = true;
          continue;
        }
        s.value = model::negation_of(std::move(s.value));
        s.body = std::move(s.orelse);
        s.orelse.clear();
        changed = true;
      } else {
        fold_empty_branches(s);
      }
    }
    if ((s.kind == StmtKind::kFor || s.kind == StmtKind::kWhile) && s.body.empty()) drop[i] = true;
  }
  if (std::find(drop.begin(), drop.end(), true) == drop.end()) return changed;
  Block kept;
  kept.reserve(block.size());
  for (size_t i = 0; i < block.size(); ++i) {
    if (!drop[i]) kept.push_back(std::move(block[i]));
  }
  block = std::move(kept);
  return true;
}

// After removals, a plain assignment whose declaration went (with the statement that held it)
// declares the name itself.
void fix_declarations(Block& block, std::vector<std::set<std::string>>& scopes) {
  scopes.emplace_back();
  auto declared = [&](const std::string& n) {
    for (const auto& sc : scopes) {
      if (sc.count(n)) return true;
    }
    return false;
  };
  for (auto& s : block) {
    if (s.kind == StmtKind::kAssign) {
      if (!declared(s.name)) s.declares = true;
      if (s.declares) scopes.back().insert(s.name);
    }
    for (const auto& n : s.names) scopes.back().insert(n);
    if (s.kind == StmtKind::kFor) {
      scopes.emplace_back();
      scopes.back().insert(s.name);
      fix_declarations(s.body, scopes);
      scopes.pop_back();
    } else {
      fix_declarations(s.body, scopes);
    }
    for (auto& e : s.elifs) fix_declarations(e.body, scopes);
    fix_declarations(s.orelse, scopes);
  }
  scopes.pop_back();
}

struct BodyPruned {
  bool changed = false;
  bool clean = true;  // the last analysis found nothing dead
};

// Removes dead code from one body to its fixpoint (the last analysis finds nothing to remove).
BodyPruned prune_body(Block& body, const std::vector<model::Param>& params, bool is_kernel) {
  BodyPruned result;
  for (int round = 0; round < 64; ++round) {
    model::Liveness live = model::analyze_liveness(body, model::function_variables(params, body), is_kernel);
    if (live.dead.empty() && live.useless_loops.empty()) break;
    if (!remove_dead(body, live)) {
      result.clean = false;  // a dead declaration had to stay
      break;
    }
    result.changed = true;
  }
  if (result.changed) {
    std::vector<std::set<std::string>> scopes(1);
    for (const auto& p : params) scopes[0].insert(p.name);
    fix_declarations(body, scopes);
  }
  return result;
}

bool drop_unused_func_params(Program& p) {
  if (p.funcs.empty()) return false;
  bool changed = false;
  std::vector<bool> passed_as_value(p.funcs.size(), false);  // wp.tile_map(f, t) calls f with its declared parameters
  for_all_code(p, [&](Expr& e) {
    if (e.kind == ExprKind::kFuncRef && e.signature >= 0) passed_as_value[size_t(e.signature)] = true;
  });
  for (size_t f = 0; f < p.funcs.size(); ++f) {
    auto& fn = p.funcs[f];
    if (passed_as_value[f]) continue;
    const std::vector<bool> read = params_read(fn.params, fn.body);
    for (size_t k = fn.params.size(); k-- > 0;) {
      if (read[k]) continue;
      // Overloads differ by parameter types: a parameter goes only if this one stays distinct.
      std::vector<Type> rest;
      for (size_t q = 0; q < fn.params.size(); ++q) {
        if (q != k) rest.push_back(fn.params[q].type);
      }
      bool clash = false;
      for (size_t g = 0; g < p.funcs.size(); ++g) {
        if (g == f || p.funcs[g].name != fn.name || p.funcs[g].params.size() != rest.size()) continue;
        bool same = true;
        for (size_t q = 0; q < rest.size() && same; ++q) same = p.funcs[g].params[q].type == rest[q];
        clash = clash || same;
      }
      if (clash) continue;
      fn.params.erase(fn.params.begin() + long(k));
      for_all_code(p, [&](Expr& e) {
        if (e.kind == ExprKind::kFuncCall && e.signature == int(f) && k < e.args.size()) e.args.erase(e.args.begin() + long(k));
      });
      changed = true;
    }
  }
  return changed;
}

bool drop_uncalled_funcs(Program& p) {
  if (p.funcs.empty()) return false;
  std::vector<bool> called(p.funcs.size(), false);
  // Reachable from the kernel: funcs call only funcs defined before them.
  auto mark = [&](Block& body) {
    model::for_each_expr(body, [&](Expr& e) {
      if ((e.kind == ExprKind::kFuncCall || e.kind == ExprKind::kFuncRef) && e.signature >= 0) called[size_t(e.signature)] = true;
    });
  };
  mark(p.kernel.body);
  for (size_t f = p.funcs.size(); f-- > 0;) {
    if (called[f]) mark(p.funcs[f].body);
  }
  if (std::all_of(called.begin(), called.end(), [](bool c) { return c; })) return false;
  std::vector<int> remap(p.funcs.size(), -1);
  std::vector<model::FuncDef> kept;
  for (size_t f = 0; f < p.funcs.size(); ++f) {
    if (!called[f]) continue;
    remap[f] = int(kept.size());
    kept.push_back(std::move(p.funcs[f]));
  }
  p.funcs = std::move(kept);
  for_all_code(p, [&](Expr& e) {
    if ((e.kind == ExprKind::kFuncCall || e.kind == ExprKind::kFuncRef) && e.signature >= 0) e.signature = remap[size_t(e.signature)];
  });
  return true;
}

template <typename Fn>
void for_all_types(Program& p, Fn&& fn) {
  for (auto& s : p.structs) {
    for (auto& f : s.fields) fn(f.type);
  }
  for (auto& f : p.funcs) {
    for (auto& prm : f.params) fn(prm.type);
    fn(f.returns);
  }
  for (auto& prm : p.kernel.params) fn(prm.type);
  for_all_code(p, [&](Expr& e) { fn(e.type); });
}

void drop_unused_kernel_params(Program& p, std::vector<ArrayParam>& arrays) {
  auto& params = p.kernel.params;
  const std::vector<bool> read = params_read(params, p.kernel.body);
  for (size_t k = params.size(); k-- > 0;) {
    if (read[k]) continue;
    const std::string name = params[k].name;
    arrays.erase(std::remove_if(arrays.begin(), arrays.end(), [&](const ArrayParam& a) { return a.name == name; }),
                 arrays.end());
    params.erase(params.begin() + long(k));
  }
}

void drop_unused_structs(Program& p) {
  for (size_t id = p.structs.size(); id-- > 0;) {
    bool used = false;
    for_all_types(p, [&](Type& t) {
      if (t.kind == model::Kind::kStruct && t.struct_id == int(id)) used = true;
    });
    // fields of the struct itself do not count as a use of it
    if (used) continue;
    p.structs.erase(p.structs.begin() + long(id));
    for_all_types(p, [&](Type& t) {
      if (t.kind == model::Kind::kStruct && t.struct_id > int(id)) --t.struct_id;
    });
  }
}

}  // namespace

bool prune(Program& program, std::vector<ArrayParam>& arrays) {
  bool clean = true;
  drop_uncalled_funcs(program);  // before any analysis: most planned funcs were never called (or built)
  for (int round = 0; round < 32; ++round) {
    // Each body reaches its own fixpoint; bodies meet only through calls, so another round is
    // needed only when a func lost a parameter (its call sites lost an argument) or went.
    clean = true;
    for (auto& f : program.funcs) clean &= prune_body(f.body, f.params, false).clean;
    clean &= prune_body(program.kernel.body, program.kernel.params, true).clean;
    bool calls_changed = drop_unused_func_params(program);
    calls_changed |= drop_uncalled_funcs(program);
    if (!calls_changed) break;
  }
  drop_unused_kernel_params(program, arrays);
  drop_unused_structs(program);
  return clean;
}

}  // namespace warpsynth::generator

#include "gen/warp_quirks.h"

#include <set>
#include <string>

namespace warpsynth::gen {
namespace {

using model::Block;
using model::Expr;
using model::ExprKind;
using model::StmtKind;

void loop_variables(const Block& block, std::set<std::string>& out) {
  for (const auto& s : block) {
    if (s.kind == StmtKind::kFor) out.insert(s.name);
    loop_variables(s.body, out);
    for (const auto& e : s.elifs) loop_variables(e.body, out);
    loop_variables(s.orelse, out);
  }
}

void wrap_casts(Expr& e, const std::set<std::string>& loops) {
  for (auto& a : e.args) wrap_casts(*a, loops);
  if (e.kind != ExprKind::kCast || e.args.size() != 1) return;
  Expr& arg = *e.args[0];
  if (arg.kind != ExprKind::kVar || !loops.count(arg.text) || e.type == model::Type::scalar_of(model::Scalar::kInt32)) return;
  auto as_int = model::make_expr(ExprKind::kCast, arg.type);
  as_int->args.push_back(std::move(e.args[0]));
  e.args[0] = std::move(as_int);
}

void wrap_block(Block& block, const std::set<std::string>& loops) {
  for (auto& s : block) {
    if (s.target) wrap_casts(*s.target, loops);
    if (s.value) wrap_casts(*s.value, loops);
    for (auto& r : s.range) wrap_casts(*r, loops);
    wrap_block(s.body, loops);
    for (auto& e : s.elifs) {
      wrap_casts(*e.condition, loops);
      wrap_block(e.body, loops);
    }
    wrap_block(s.orelse, loops);
  }
}

}  // namespace

void work_around_warp_quirks(model::Program& program) {
  for (auto& f : program.funcs) {
    std::set<std::string> loops;
    loop_variables(f.body, loops);
    if (!loops.empty()) wrap_block(f.body, loops);
  }
  std::set<std::string> loops;
  loop_variables(program.kernel.body, loops);
  if (!loops.empty()) wrap_block(program.kernel.body, loops);
}

}  // namespace warpsynth::gen

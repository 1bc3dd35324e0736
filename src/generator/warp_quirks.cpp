#include "generator/warp_quirks.h"

#include <set>
#include <string>

namespace warpsynth::generator {
namespace {

using model::Block;
using model::Expr;
using model::ExprKind;
using model::StmtKind;

std::set<std::string> loop_variables(const Block& block) {
  std::set<std::string> out;
  model::for_each_stmt(block, [&](const model::Stmt& s) {
    if (s.kind == StmtKind::kFor) out.insert(s.name);
  });
  return out;
}

// wp.float64(k) -> wp.float64(int(k)) for a loop variable k.
void wrap_casts(Block& block, const std::set<std::string>& loops) {
  if (loops.empty()) return;  // most bodies: nothing to look for
  model::for_each_expr(block, [&](Expr& e) {
    if (e.kind != ExprKind::kCast || e.args.size() != 1) return;
    Expr& arg = *e.args[0];
    if (arg.kind != ExprKind::kVar || !loops.count(arg.text) || e.type == model::Type::scalar_of(model::Scalar::kInt32)) return;
    auto as_int = model::make_expr(ExprKind::kCast, arg.type);
    as_int->args.push_back(std::move(e.args[0]));
    e.args[0] = std::move(as_int);
  });
}

}  // namespace

void work_around_warp_quirks(model::Program& program) {
  for (auto& f : program.funcs) wrap_casts(f.body, loop_variables(f.body));
  wrap_casts(program.kernel.body, loop_variables(program.kernel.body));
}

}  // namespace warpsynth::generator

// Free statements, as a table of kinds (Csmith's split): each kind has the name its weight has in
// the config's `statements` table, a filter that says whether the scope allows it (a variable to
// update, a loop depth left, an accumulator array...), and how it is built. The filters look at a
// context computed once per statement; the weighted choice only sees the weights they leave.
#pragma once

#include <utility>
#include <vector>

#include "generator/synth.h"

namespace warpsynth::generator {

// What the scope offers a new statement.
struct StatementContext {
  int nesting = 0;
  // How many assignable numeric / vector locals are in scope (counted, not listed: a context is
  // made for every statement, and a builder that uses one picks it by position: pick()).
  size_t numeric = 0;
  size_t vectors = 0;
  std::vector<const ArrayParam*> accumulators;  // 1-D arrays indexed by computed indices
  bool in_place = false;  // a local has the type an in-place builtin updates (wp.transform_set_rotation)
};

struct StatementKind {
  const char* name;  // key of the config's `statements` table
  bool (*allowed)(const Synth& s, const StatementContext& c);
  void (*build)(Synth& s, model::Block& out, const StatementContext& c);
};

const std::vector<StatementKind>& statement_kinds();

}  // namespace warpsynth::generator

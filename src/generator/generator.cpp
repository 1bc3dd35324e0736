#include "generator/generator.h"

#include "generator/per_thread.h"
#include "generator/prune.h"
#include "generator/templates.h"
#include "generator/warp_quirks.h"
#include "model/features.h"
#include "model/printer.h"

namespace warpsynth::generator {

Generator::Generator(const catalog::Catalog& catalog, GeneratorConfig config)
    : config_(std::move(config)), index_(catalog, config_), statement_weights_(Synth::statement_weights(config_)) {
  for (const auto& t : all_templates()) {
    auto it = config_.templates.find(t.name);
    template_weights_.push_back(it == config_.templates.end() ? 0.0 : it->second);
  }
}

namespace {

// Operations (calls, operators, comparisons, ternaries) in an expression.
int computations(const model::Expr& e) {
  int n = 0;
  switch (e.kind) {
    case model::ExprKind::kCall:
    case model::ExprKind::kBinary:
    case model::ExprKind::kUnary:
    case model::ExprKind::kFuncCall:
    case model::ExprKind::kCompare:
    case model::ExprKind::kTernary: n = 1; break;
    default: break;
  }
  for (const auto& a : e.args) n += computations(*a);
  return n;
}

// ... in a body, loop bounds aside.
int computations(const model::Block& block) {
  int n = 0;
  model::for_each_stmt(block, [&](const model::Stmt& s) {
    for (const model::Expr* e : {s.target.get(), s.value.get()}) {
      if (e) n += computations(*e);
    }
    for (const auto& e : s.elifs) n += computations(*e.condition);
  });
  return n;
}

}  // namespace

GeneratedKernel Generator::generate(std::uint64_t seed) const {
  // A kernel that dead-code elimination left with almost nothing to compute (`out[i] = x[i] * 2.0`)
  // is drawn again from a seed derived from this one: the sample stays a function of its seed.
  std::uint64_t draw = seed;
  for (int attempt = 0;; ++attempt) {
    bool clean = true;
    GeneratedKernel k = generate_once(draw, clean);
    // Drawn again: a kernel with dead code left, one that computes too little, and one whose
    // threads all store the same values.
    if (attempt >= 8 || (clean && computations(k.program.kernel.body) >= config_.min_computations &&
                         stores_per_thread_values(k.program.kernel))) {
      k.seed = seed;
      // Printed and described only once kept (a redrawn sample is never printed).
      k.python = model::print_python(k.program);
      k.features = model::collect_features(k.program, index_.catalog());
      return k;
    }
    draw = splitmix64(draw ^ 0xA5A5A5A5ull);
  }
}

GeneratedKernel Generator::generate_once(std::uint64_t seed, bool& clean) const {
  Synth synth(seed, index_, config_, statement_weights_);
  int which = synth.rng().weighted(template_weights_);
  if (which < 0) which = 0;
  const Template& t = all_templates()[which];
  t.build(synth);
  std::vector<ArrayParam> arrays = synth.arrays();
  clean = prune(synth.program(), arrays);
  work_around_warp_quirks(synth.program());
  // Drawn last: the spelling changes no other choice of the kernel.
  synth.program().array_spelling =
      synth.rng().chance(config_.p_array_subscript) ? model::ArraySpelling::kSubscript : model::ArraySpelling::kCall;

  GeneratedKernel out;
  out.seed = seed;
  out.template_name = t.name;
  out.program = std::move(synth.program());
  out.launch_dims = synth.launch_dims();
  out.arrays = std::move(arrays);
  out.launch.tiled_block_dim = synth.tiled_block_dim();
  for (const auto& [arg, what] : synth.host_objects()) {
    for (const auto& p : out.program.kernel.params) {
      if (p.name == arg) out.launch.host_objects.emplace_back(arg, what);  // unless pruned
    }
  }
  return out;
}

}  // namespace warpsynth::generator

#include "gen/generator.h"

#include "gen/templates.h"
#include "model/printer.h"

namespace warpsynth::gen {

Generator::Generator(const catalog::Catalog& catalog, GeneratorConfig config)
    : config_(std::move(config)), index_(catalog, config_) {
  for (const auto& t : all_templates()) {
    auto it = config_.templates.find(t.name);
    template_weights_.push_back(it == config_.templates.end() ? 0.0 : it->second);
  }
}

GeneratedKernel Generator::generate(std::uint64_t seed) const {
  Synth synth(seed, index_, config_);
  int which = synth.rng().weighted(template_weights_);
  if (which < 0) which = 0;
  const Template& t = all_templates()[which];
  t.build(synth);

  GeneratedKernel out;
  out.seed = seed;
  out.template_name = t.name;
  out.python = model::print_python(synth.program());
  out.program = std::move(synth.program());
  out.features = std::move(synth.features());
  out.launch_dims = synth.launch_dims();
  out.arrays = synth.arrays();
  return out;
}

}  // namespace warpsynth::gen

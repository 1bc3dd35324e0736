// seed -> one generated kernel: a template is drawn, it builds a Program through Synth, the
// printer writes the Python. Deterministic: the same catalog, config and seed give the same
// bytes on every machine and in every process.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/catalog.h"
#include "generator/builtin_index.h"
#include "generator/config.h"
#include "model/features.h"
#include "generator/synth.h"
#include "model/ast.h"
#include "model/launch_spec.h"

namespace warpsynth::generator {

struct GeneratedKernel {
  std::uint64_t seed = 0;
  std::string template_name;
  model::Program program;
  std::string python;
  model::Features features;  // read from the finished program
  std::vector<int> launch_dims;
  std::vector<ArrayParam> arrays;  // array parameters with the shapes the launch gives them
  model::LaunchSpec launch;
};

class Generator {
 public:
  Generator(const catalog::Catalog& catalog, GeneratorConfig config);

  GeneratedKernel generate(std::uint64_t seed) const;
  const GeneratorConfig& config() const { return config_; }
  const BuiltinIndex& index() const { return index_; }

 private:
  // One draw, pruned, without its Python or features (generate() adds them to the draw it keeps).
  GeneratedKernel generate_once(std::uint64_t seed, bool& clean) const;

  GeneratorConfig config_;
  BuiltinIndex index_;
  std::vector<double> template_weights_;
  std::vector<double> statement_weights_;  // Synth::statement_weights(config_)
};

}  // namespace warpsynth::generator

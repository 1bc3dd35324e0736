// Where the samples of a `generate` run come from: the typed generator (kernels made from scratch)
// or variants of real kernels (`--from DIR`). The run sends each sample's Python to the workers and
// makes a record of what they return; only these makers know how a sample was made.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dataset/record.h"
#include "driver/protocol.h"
#include "generator/generator.h"
#include "generator/variants/variant_maker.h"

namespace warpsynth {

// One sample: the launch --verify run gives it, and how it was made, which is also what its
// record says beyond the worker's reply.
struct Sample {
  std::uint64_t index = 0;
  protocol::RunPlan plan;  // the launch (grad and opt level set by the run)
  std::variant<SyntheticInfo, VariantInfo> made;  // from scratch, or a variant of a real kernel

  // The Python the workers load.
  const std::string& python() const;
  // What a summary counts it under: the generator's template, or "variant".
  std::string template_name() const;
  // The kernel of its source to keep; none: its only one.
  std::optional<std::string> kernel() const;
  // Its record, from the worker's code of its kernel.
  Record record(const protocol::KernelCode& kernel, const RecordContext& context) const;
};

class SampleMaker {
 public:
  virtual ~SampleMaker() = default;
  // Sample `index` of the run; the same index gives the same sample, whatever made it before.
  virtual Sample make(std::uint64_t index) const = 0;
  // The hash the run's manifest and records carry (meta.generator.config_hash).
  virtual std::string config_hash() const = 0;
};

// Kernels of the typed generator.
class ScratchSamples : public SampleMaker {
 public:
  ScratchSamples(const generator::Generator& generator, std::uint64_t run_seed)
      : generator_(generator), run_seed_(run_seed) {}
  Sample make(std::uint64_t index) const override;
  std::string config_hash() const override { return generator_.config().hash(); }

 private:
  const generator::Generator& generator_;
  std::uint64_t run_seed_;
};

// A real kernel a variant may be made from: a self-contained extracted record.
struct ParentKernel {
  ParentStamp stamp;
  std::string python;
};

// The self-contained extracted records of an `extract` (or `verify`) output folder, in id order;
// a record whose `verify.cpu_run` failed is left out (its variants would fail too).
// Throws std::runtime_error when the folder holds none.
std::vector<ParentKernel> read_parents(const std::string& dir);

// Variants of real kernels: sample i takes the (i mod n)-th of the parents that give variants, in an
// order of the run's seed (another, drawn from its own seed, where that one gives none this time),
// and edits it (variant_maker.h).
class VariantSamples : public SampleMaker {
 public:
  VariantSamples(std::vector<ParentKernel> parents, const generator::GeneratorConfig& config,
                 const catalog::Catalog& table, std::uint64_t run_seed);
  Sample make(std::uint64_t index) const override;
  std::string config_hash() const override { return config_hash_; }
  std::size_t parents() const { return parents_.size(); }

 private:
  std::vector<ParentKernel> parents_;
  generator::VariantPolicy policy_;
  generator::variants::BuiltinSwaps swaps_;
  std::uint64_t run_seed_;
  std::string config_hash_;          // of the policy, the generator config and the parents' ids
  std::vector<std::size_t> order_;   // the parents that give variants, in the run's order: sample i starts at order_[i % n]
};

}  // namespace warpsynth

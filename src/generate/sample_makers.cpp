#include "generate/sample_makers.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <xxhash.h>

#include "dataset/shard_files.h"
#include "generator/rng.h"

namespace warpsynth {

Sample ScratchSamples::make(std::uint64_t index) const {
  auto kernel = std::make_shared<generator::GeneratedKernel>(generator_.generate(generator::sample_seed(run_seed_, index)));
  Sample s;
  s.index = index;
  s.python = kernel->python;
  s.template_name = kernel->template_name;
  // The generator's launch, the shapes of its arrays, its host objects; inputs from the sample's seed.
  s.plan.dims = kernel->launch_dims;
  for (const auto& a : kernel->arrays) s.plan.array_shapes[a.name] = a.shape;
  for (const auto& [arg, what] : kernel->launch.host_objects) s.plan.host_objects[arg] = what;
  s.plan.block_dim = kernel->launch.tiled_block_dim;
  s.plan.seed = protocol::run_input_seed(kernel->seed, index);
  s.generated = std::move(kernel);
  return s;
}

std::vector<ParentKernel> read_parents(const std::string& dir) {
  std::vector<ParentKernel> parents;
  int records = 0;
  for_each_record(dir, [&](const std::string& file, const std::string& line) {
    ++records;
    Record r;
    try {
      r = Record::parse(line);
    } catch (const RecordFormatError& e) {
      throw std::runtime_error(file + ": " + e.what());
    }
    if (r.origin != Origin::kExtracted || !r.meta.source) return;
    const Verdict* self_contained = r.verify.find("self_contained");
    const Verdict* run = r.verify.find("cpu_run");
    if (!self_contained || !self_contained->is_ok()) return;
    if (run && !run->is_ok() && !run->is_skipped()) return;
    parents.push_back({ParentStamp{r.id, r.kernel, r.meta.source->file, r.meta.source->package}, std::move(r.python)});
  });
  std::sort(parents.begin(), parents.end(), [](const auto& a, const auto& b) { return a.stamp.id < b.stamp.id; });
  parents.erase(std::unique(parents.begin(), parents.end(), [](const auto& a, const auto& b) { return a.stamp.id == b.stamp.id; }),
                parents.end());
  if (parents.empty()) {
    throw std::runtime_error(fmt::format(
        "{} holds no self-contained extracted kernel to make variants of ({} records read): give --from a folder "
        "`warpsynth extract` wrote (make corpus writes out/corpus)",
        dir, records));
  }
  return parents;
}

VariantSamples::VariantSamples(std::vector<ParentKernel> parents, const generator::GeneratorConfig& config,
                               const catalog::Catalog& table, std::uint64_t run_seed)
    : parents_(std::move(parents)), policy_(config.variants), swaps_(table), run_seed_(run_seed) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  const std::string head = config.hash() + config.to_json()["variants"].dump();
  XXH3_64bits_update(state, head.data(), head.size());
  for (const auto& p : parents_) XXH3_64bits_update(state, p.stamp.id.data(), p.stamp.id.size());
  config_hash_ = fmt::format("{:016x}", XXH3_64bits_digest(state));
  XXH3_freeState(state);
}

Sample VariantSamples::make(std::uint64_t index) const {
  const std::uint64_t seed = generator::sample_seed(run_seed_, index);
  generator::Rng rng(seed);
  // A parent too short or with nothing to rename gives no variant far enough from it: another is drawn.
  constexpr int kDraws = 256;
  for (int draw = 0; draw < kDraws; ++draw) {
    const ParentKernel& parent = parents_[rng.index(parents_.size())];
    auto variant = generator::variants::make_variant(parent.python, parent.stamp.kernel, rng, policy_, swaps_);
    if (!variant) continue;
    auto info = std::make_shared<VariantInfo>();
    info->python = std::move(variant->python);
    info->run_seed = run_seed_;
    info->index = index;
    info->sample_seed = seed;
    info->config_hash = config_hash_;
    info->parent = parent.stamp;
    info->edits = std::move(variant->edits);
    info->builtins = generator::variants::builtins_called(info->python);
    Sample s;
    s.index = index;
    s.python = info->python;
    s.template_name = "variant";
    s.kernel = parent.stamp.kernel;
    s.plan.kernel = parent.stamp.kernel;
    s.plan.dims = nlohmann::json();  // as for the parent: the worker guesses a launch from wp.tid()
    s.plan.seed = protocol::run_input_seed(seed, index);
    s.variant = std::move(info);
    return s;
  }
  throw std::runtime_error(fmt::format("sample {}: none of {} parents drawn gives a variant far enough from it "
                                       "(variants.max_parent_jaccard {})",
                                       index, kDraws, policy_.max_parent_jaccard));
}

}  // namespace warpsynth

#include "generate/sample_makers.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>
#include <xxhash.h>

#include "dataset/shard_files.h"
#include "generator/rng.h"

namespace warpsynth {

const std::string& Sample::python() const {
  return std::visit([](const auto& info) -> const std::string& { return info.python; }, made);
}

std::string Sample::template_name() const {
  const auto* synthetic = std::get_if<SyntheticInfo>(&made);
  return synthetic ? synthetic->template_name : "variant";
}

std::optional<std::string> Sample::kernel() const {
  const auto* variant = std::get_if<VariantInfo>(&made);
  return variant ? std::optional(variant->parent.kernel) : std::nullopt;
}

Record Sample::record(const protocol::KernelCode& kernel, const RecordContext& context) const {
  if (const auto* variant = std::get_if<VariantInfo>(&made)) return make_variant_record(kernel, *variant, context);
  return make_synthetic_record(kernel, std::get<SyntheticInfo>(made), context);
}

Sample ScratchSamples::make(std::uint64_t index) const {
  const std::uint64_t seed = generator::sample_seed(run_seed_, index);
  generator::GeneratedKernel kernel = generator_.generate(seed);
  Sample s;
  s.index = index;
  // The generator's launch, the shapes of its arrays, its host objects; inputs from the sample's seed.
  s.plan.dims = kernel.launch_dims;
  for (const auto& a : kernel.arrays) s.plan.array_shapes[a.name] = a.shape;
  for (const auto& [arg, what] : kernel.launch.host_objects) s.plan.host_objects[arg] = what;
  s.plan.block_dim = kernel.launch.tiled_block_dim;
  s.plan.seed = protocol::run_input_seed(kernel.seed, index);
  SyntheticInfo info;
  info.python = std::move(kernel.python);
  info.run_seed = run_seed_;
  info.index = index;
  info.sample_seed = seed;
  info.template_name = std::move(kernel.template_name);
  info.config_hash = config_hash();
  info.features = std::move(kernel.features);
  info.launch_dims = std::move(kernel.launch_dims);
  for (const auto& a : kernel.arrays) info.array_shapes.emplace_back(a.name, a.shape);
  info.launch = std::move(kernel.launch);
  s.made = std::move(info);
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
  const std::string head = config.hash() + config.variants_json().dump();
  XXH3_64bits_update(state, head.data(), head.size());
  for (const auto& p : parents_) XXH3_64bits_update(state, p.stamp.id.data(), p.stamp.id.size());
  config_hash_ = fmt::format("{:016x}", XXH3_64bits_digest(state));
  XXH3_freeState(state);
  // The parents that give a variant (one draw of a seed of their own: a kernel with nothing to
  // rename gives none), in an order of the run's seed (Fisher-Yates): sample i starts at the
  // (i mod n)-th. None giving one, all are kept, and each sample draws until one does.
  for (std::size_t p = 0; p < parents_.size(); ++p) {
    generator::Rng trial(XXH3_64bits(parents_[p].stamp.id.data(), parents_[p].stamp.id.size()));
    if (generator::variants::make_variant(parents_[p].python, parents_[p].stamp.kernel, trial, policy_, swaps_))
      order_.push_back(p);
  }
  if (order_.empty()) {
    order_.resize(parents_.size());
    std::iota(order_.begin(), order_.end(), std::size_t{0});
  }
  generator::Rng rng(generator::splitmix64(run_seed_ ^ 0x7061726E74734F52ull));
  for (std::size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng.index(i)]);
}

Sample VariantSamples::make(std::uint64_t index) const {
  const std::uint64_t seed = generator::sample_seed(run_seed_, index);
  generator::Rng rng(seed);
  // Each parent once before any twice: sample i takes the (i mod n)-th of the run's order, so that
  // a run of n samples holds two variants of one kernel only where its draw gave none and another
  // parent was drawn.
  constexpr int kDraws = 256;
  for (int draw = 0; draw < kDraws; ++draw) {
    const ParentKernel& parent = parents_[order_[draw == 0 ? index % order_.size() : rng.index(order_.size())]];
    auto variant = generator::variants::make_variant(parent.python, parent.stamp.kernel, rng, policy_, swaps_);
    if (!variant) continue;
    VariantInfo info;
    info.builtins = generator::variants::builtins_called(variant->python);
    info.python = std::move(variant->python);
    info.run_seed = run_seed_;
    info.index = index;
    info.sample_seed = seed;
    info.config_hash = config_hash_;
    info.parent = parent.stamp;
    info.edits = std::move(variant->edits);
    Sample s;
    s.index = index;
    s.plan.kernel = parent.stamp.kernel;
    s.plan.dims = nlohmann::json();  // as for the parent: the worker guesses a launch from wp.tid()
    s.plan.seed = protocol::run_input_seed(seed, index);
    s.made = std::move(info);
    return s;
  }
  throw std::runtime_error(fmt::format("sample {}: none of {} parents drawn gives a variant far enough from it "
                                       "(variants.max_parent_jaccard {})",
                                       index, kDraws, policy_.max_parent_jaccard));
}

}  // namespace warpsynth

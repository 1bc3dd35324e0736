#include "generate/generate_run.h"
#include "run/cluster_run.h"
#include "run/run_folder.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <iostream>

#include <unistd.h>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <sys/resource.h>

#include "model/catalog.h"
#include "catalog/catalog_fetch.h"
#include "dataset/preambles.h"
#include "dataset/record.h"
#include "dataset/shard_files.h"
#include "driver/protocol.h"
#include "driver/worker.h"
#include "driver/worker_locator.h"
#include "driver/worker_pool.h"
#include "generator/generator.h"
#include "generate/sample_makers.h"
#include "run/shard_assembler.h"
#include "run/sharded_output.h"
#include "util/atomic_file.h"
#include "util/temp_dir.h"
#include "util/log_file.h"
#include "util/progress.h"
#include "dataset/verdict.h"

namespace fs = std::filesystem;

namespace warpsynth {
namespace {

constexpr const char* kSummaryName = "summary.json";

// CPU time (user + system) this process has used so far: the driver's own share of a run.
double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string sample_label(std::uint64_t index) { return fmt::format("sample_{:08d}.py", index); }

generator::GeneratorConfig load_config(const GenerateOptions& options) {
  return options.config_path.empty() ? generator::GeneratorConfig::defaults() : generator::GeneratorConfig::load(options.config_path);
}

// The real kernels of --from (none without it), read before anything is written: a folder that
// holds none is the user's error.
std::vector<ParentKernel> parents_of(const GenerateOptions& options) {
  if (options.from_dir.empty()) return {};
  try {
    return read_parents(options.from_dir);
  } catch (const std::runtime_error& e) {
    throw RunUsageError(std::string("--from: ") + e.what());
  }
}

// The typed generator's kernels, or with --from variants of the real kernels of that folder.
std::unique_ptr<SampleMaker> sample_maker(const GenerateOptions& options, std::vector<ParentKernel> parents,
                                          const generator::GeneratorConfig& config, const catalog::Catalog& table,
                                          const generator::Generator& generator) {
  if (options.from_dir.empty()) return std::make_unique<ScratchSamples>(generator, options.seed);
  return std::make_unique<VariantSamples>(std::move(parents), config, table, options.seed);
}

// What the worker said of one item of a batch: the sample's kernel (its only one, or the one it names).
SampleResult verdict_of(const Sample& sample, const protocol::SourceReply& item, const protocol::KernelCode** kernel) {
  SampleResult r;
  r.index = sample.index;
  r.template_name = sample.template_name();
  *kernel = nullptr;
  const std::optional<std::string> named = sample.kernel();
  if (named) {
    for (const auto& k : item.kernels) {
      if (k.kernel == *named) *kernel = &k;
    }
  } else if (item.kernels.size() == 1) {
    *kernel = &item.kernels[0];
  }
  if (!item.errors.empty()) {
    r.stage = item.errors[0].stage;
    r.message = item.errors[0].message;
  } else if (!*kernel) {
    r.stage = "codegen";
    r.message = named ? fmt::format("Warp found no kernel {}", *named)
                              : fmt::format("expected one kernel, Warp found {}", item.kernels.size());
  } else {
    r.ok = true;
  }
  r.verify.emplace_back("codegen", (r.ok ? Verdict::ok() : Verdict::failed(r.message)).text());
  for (const auto& [level, v] : item.verify) {
    r.verify.emplace_back(level, v);
    if (!r.ok) continue;
    if (verdict_drops_sample(level, v)) {
      r.ok = false;
      r.stage = level;
      r.message = Verdict::parse(v).reason;
    }
  }
  return r;
}

// Samples through the worker pool: a batch of sample indices becomes a request of their sources;
// each reply item becomes a record, or a failure. Results wait in `results` for
// the driver's thread, which writes them into their shards.
class GenerateJob : public BatchJob, public ResultQueue {
 public:
  GenerateJob(const GenerateOptions& options, const SampleMaker& maker, const RecordContext& context)
      : preambles(options.out_dir), options_(options), maker_(maker), context_(context) {}

  std::string request(std::int64_t id, std::span<const std::uint64_t> items) override {
    std::vector<protocol::SourceItem> sources;
    for (std::uint64_t index : items) {
      const Sample& sample = made(index);
      std::optional<protocol::RunPlan> plan;
      if (runs()) {
        plan = sample.plan;
        plan->grad = options_.verify == VerifyLevel::kGrad;
        plan->opt_level = options_.opt_level;
      }
      sources.push_back({sample_label(index), sample.python(), std::move(plan)});
    }
    if (runs()) return protocol::run_sources_request(id, sources);
    return options_.verify == VerifyLevel::kCompile ? protocol::compile_sources_request(id, sources)
                                        : protocol::codegen_sources_request(id, sources);
  }

  bool accept(std::span<const std::uint64_t> items, const nlohmann::json& result) override {
    std::vector<protocol::SourceReply> replies;
    try {
      replies = protocol::parse_sources_reply(result);
    } catch (const protocol::ProtocolError&) {
      return false;  // bisected: the item whose reply is malformed is reported alone
    }
    if (replies.size() != items.size()) return false;
    std::vector<SampleResult> out;
    for (size_t k = 0; k < items.size(); ++k) {
      const Sample sample = take(items[k]);
      const protocol::KernelCode* kernel = nullptr;
      SampleResult r = verdict_of(sample, replies[k], &kernel);
      if (r.ok) {
        try {
          std::tie(r.record, r.id) = make_record(sample, *kernel, replies[k]);
        } catch (const std::exception& e) {
          r.ok = false;
          r.stage = "record";
          r.message = e.what();
        }
      }
      out.push_back(std::move(r));
    }
    deliver(std::move(out));
    return true;
  }

  void lost(std::uint64_t item, const std::string& stage, const std::string& message) override {
    SampleResult r;
    r.index = item;
    r.template_name = take(item).template_name();
    r.stage = stage;
    r.message = message;
    r.verify.emplace_back(stage, Verdict::failed(message).text());  // the worker's fault or the kernel's: counted where it stopped
    deliver({std::move(r)});
  }

  PreambleStore preambles;  // written as records name them

 private:
  // A sample, made when its batch is first sent and kept until its result is in (a bisected batch
  // is sent again in parts).
  const Sample& made(std::uint64_t index) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = samples_.find(index);
      if (it != samples_.end()) return it->second;
    }
    Sample sample = maker_.make(index);
    std::lock_guard<std::mutex> lock(mutex_);
    return samples_.emplace(index, std::move(sample)).first->second;
  }
  Sample take(std::uint64_t index) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = samples_.find(index);
    if (it == samples_.end()) return maker_.make(index);
    Sample sample = std::move(it->second);
    samples_.erase(it);
    return sample;
  }
  // --verify run and grad launch the kernels.
  bool runs() const { return launches(options_.verify); }

  // The record's JSON line, and its id.
  std::pair<std::string, std::string> make_record(const Sample& sample, const protocol::KernelCode& kernel,
                                                  const protocol::SourceReply& item) {
    Record record = sample.record(kernel, context_);
    for (const auto& preamble : record_preambles(kernel)) preambles.add(preamble);
    for (const auto& [level, verdict] : item.verify) record.verify.set(level, Verdict::parse(verdict));
    record.verify.run = item.run;  // what replays the check
    record.verify.grad = item.grad;
    if (options_.opt_level >= 0) record.meta.opt_level = options_.opt_level;  // an opt-in faster build
    return {record.to_line(), record.id};
  }

  const GenerateOptions& options_;
  const SampleMaker& maker_;
  const RecordContext& context_;

  std::mutex mutex_;
  std::map<std::uint64_t, Sample> samples_;  // sent, result not yet in
};

// The arguments of a cluster task: the run's own, with absolute paths (a task starts elsewhere).
std::vector<std::string> task_arguments(const GenerateOptions& o) {
  std::vector<std::string> args = {
      "generate", "--count", std::to_string(o.count), "--seed", std::to_string(o.seed), "--shard-size",
      std::to_string(o.shard_size), "--format", shard_format_name(o.format), "--verify", verify_level_name(o.verify), "--batch", std::to_string(o.batch),
      "--jobs", std::to_string(o.jobs), "--recycle", std::to_string(o.recycle_after), "--timeout",
      fmt::format("{}", o.batch_timeout.count() / 1000.0), "--out", fs::absolute(o.out_dir).string(), "--quiet"};
  if (!o.config_path.empty()) args.insert(args.end(), {"--config", fs::absolute(o.config_path).string()});
  if (!o.from_dir.empty()) args.insert(args.end(), {"--from", fs::absolute(o.from_dir).string()});
  if (o.opt_level >= 0) args.insert(args.end(), {"--opt-level", std::to_string(o.opt_level)});
  return args;
}

}  // namespace

RunSummary run_generate(const GenerateOptions& options, std::ostream& log) {
  auto started = std::chrono::steady_clock::now();
  generator::GeneratorConfig config = load_config(options);
  std::vector<ParentKernel> parents = parents_of(options);
  WorkerCommand command = locate_worker();
  fs::path out_dir(options.out_dir);
  const RunFolder folder = prepare_run_folder(options.out_dir, "generate", options.task_shards);
  LogFile worker_log(folder.log_path);

  // Warp's version and the catalog come from the first worker, which then takes batches too.
  PoolOptions pool_options{workers_worth_starting(options.jobs, options.count, options.batch), options.recycle_after,
                           options.batch_timeout};
  TempDir scratch("warpsynth-run-");  // the workers' kernel caches
  WorkerPool pool(worker_factory(command, worker_log, options.startup_timeout, scratch.path()), pool_options,
                  worker_log);
  pool.launch(pool_options.jobs);
  std::string warp_version = pool.first().ensure_started().warp_version;
  std::string catalog_path = catalog::ensure_cached(pool.first(), options.startup_timeout, &log);
  catalog::Catalog table = catalog::Catalog::load(catalog_path);
  generator::Generator generator(table, config);
  std::unique_ptr<SampleMaker> maker = sample_maker(options, std::move(parents), config, table, generator);
  RunIdentity identity{options.seed,    options.count,  options.shard_size, maker->config_hash(),
                       verify_level_name(options.verify),  shard_format_name(options.format), warp_version,       WARPSYNTH_VERSION, options.opt_level};

  RunSummary summary;
  summary.manifest = run_manifest(folder, "generate", identity, "another run");
  const ShardFormat format = options.format;

  RecordContext context{warp_version, WARPSYNTH_VERSION, "", std::nullopt};
  GenerateJob job(options, *maker, context);

  ShardedOutput out{options.out_dir, format, options.count, options.shard_size,
                    static_cast<std::uint64_t>(std::max(1, options.batch)), options.progress,
                    options.batch_timeout, {}};
  ShardRunMode mode{options.ray_address, options.ray_address.empty() ? std::vector<std::string>{}
                                                                      : task_arguments(options),
                    options.task_shards};
  ShardedRunCounts counts =
      run_shards(mode, out, pool, job, job, summary.manifest, folder.manifest_path, log, summary.cluster);
  if (folder.task) return summary;  // its outcomes are printed; the driver keeps the manifest
  record_run(summary, counts, pool, started);
  AtomicFile summary_file((out_dir / kSummaryName).string());
  summary_file.stream() << with_cluster(summary.to_json(), summary.cluster).dump(2) << '\n';
  summary_file.commit();
  worker_log.line(
      fmt::format("[driver] done: {} processed in {:.1f} s, driver CPU {:.2f} s, worker peak RSS {} KiB, {} restarts",
                  summary.processed_now, summary.seconds, process_cpu_seconds(), summary.worker_peak_rss_kb,
                  summary.worker_restarts));
  return summary;
}

std::string show_sample(const GenerateOptions& options, std::uint64_t index) {
  generator::GeneratorConfig config = load_config(options);
  LogFile quiet;
  Worker worker(locate_worker(), quiet, options.startup_timeout);
  catalog::Catalog table = catalog::Catalog::load(catalog::ensure_cached(worker, options.startup_timeout, &std::cerr));
  worker.shutdown();
  generator::Generator generator(table, config);
  const Sample sample = sample_maker(options, parents_of(options), config, table, generator)->make(index);
  std::string head = "# sample " + std::to_string(index) + " of seed " + std::to_string(options.seed) + ", template " +
                     sample.template_name() + "\n";
  if (const auto* variant = std::get_if<VariantInfo>(&sample.made)) {
    head += "# a variant of " + variant->parent.kernel + " (" + variant->parent.file + ", record " + variant->parent.id + ")\n";
    for (const auto& edit : variant->edits) head += "# " + edit + "\n";
  }
  return head + sample.python();
}

}  // namespace warpsynth

#include "generate/generate_run.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <sys/resource.h>

#include "catalog/catalog.h"
#include "catalog/catalog_fetch.h"
#include "dataset/preambles.h"
#include "dataset/record.h"
#include "dataset/shard_files.h"
#include "driver/protocol.h"
#include "driver/worker.h"
#include "driver/worker_locator.h"
#include "gen/generator.h"
#include "gen/rng.h"
#include "generate/shard_assembler.h"
#include "util/atomic_file.h"
#include "util/json_writer.h"
#include "util/log_file.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace warpsynth {
namespace {

constexpr const char* kManifestName = "manifest.json";
constexpr const char* kSummaryName = "summary.json";
constexpr const char* kLogName = "warpsynth.log";

// CPU time (user + system) this process has used so far: the driver's own share of a run.
double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string sample_label(std::uint64_t index) { return fmt::format("sample_{:08d}.py", index); }

gen::GeneratorConfig load_config(const GenerateOptions& options) {
  return options.config_path.empty() ? gen::GeneratorConfig::defaults() : gen::GeneratorConfig::load(options.config_path);
}

struct Pending {
  std::uint64_t index;
  gen::GeneratedKernel kernel;
};

// What the worker said of one item of a batch.
SampleResult verdict_of(const Pending& p, const nlohmann::json& item) {
  SampleResult r;
  r.index = p.index;
  r.template_name = p.kernel.template_name;
  const auto& errors = item.value("errors", nlohmann::json::array());
  const auto& kernels = item.value("kernels", nlohmann::json::array());
  if (!errors.empty()) {
    r.stage = errors[0].value("stage", "codegen");
    r.message = errors[0].value("message", "");
  } else if (kernels.size() != 1) {
    r.stage = "codegen";
    r.message = fmt::format("expected one kernel, Warp found {}", kernels.size());
  } else {
    r.ok = true;
  }
  if (r.ok && item.contains("verify")) {
    for (const char* level : {"cpu_compile", "cuda_ptx"}) {
      std::string v = item["verify"].value(level, "ok");
      if (v != "ok") {
        r.ok = false;
        r.stage = level;
        r.message = v.substr(v.find(':') == std::string::npos ? 0 : v.find(':') + 2);
        break;
      }
    }
  }
  return r;
}

// Everything the worker threads share.
struct RunState {
  RunState(const GenerateOptions& options, const gen::Generator& generator, const RecordContext& context,
           std::string config_hash, WorkerCommand command, LogFile& log)
      : preambles(options.out_dir),
        options(options),
        generator(generator),
        context(context),
        config_hash(std::move(config_hash)),
        command(std::move(command)),
        log(log) {}

  PreambleStore preambles;  // written as records name them
  const GenerateOptions& options;
  const gen::Generator& generator;
  const RecordContext& context;
  std::string config_hash;
  WorkerCommand command;
  LogFile& log;

  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::pair<std::uint64_t, std::uint64_t>> queue;  // batches: [begin, end)
  std::uint64_t queued = 0;                                   // samples in the queue
  int jobs = 1;
  std::vector<SampleResult> results;                          // finished samples, any order
  std::uint64_t finished = 0, failed = 0;
  std::string fatal;  // a worker could not start: stop everything
  long peak_rss_kb = 0;
  int restarts = 0;
};

// The record's JSON line, and its id.
std::pair<std::string, std::string> make_record(RunState& state, const Pending& p, const nlohmann::json& kernel,
                                                const nlohmann::json& item) {
  SyntheticInfo info;
  info.python = p.kernel.python;
  info.run_seed = state.options.seed;
  info.index = p.index;
  info.sample_seed = gen::sample_seed(state.options.seed, p.index);
  info.template_name = p.kernel.template_name;
  info.config_hash = state.config_hash;
  info.features = p.kernel.features.to_json();
  info.launch_dims = p.kernel.launch_dims;
  info.array_shapes = nlohmann::ordered_json::object();
  for (const auto& a : p.kernel.arrays) info.array_shapes[a.name] = a.shape;
  nlohmann::ordered_json record = make_synthetic_record(kernel, info, state.context);
  for (const auto& preamble : record_preambles(kernel)) state.preambles.add(preamble);
  if (item.contains("verify")) {
    for (auto it = item["verify"].begin(); it != item["verify"].end(); ++it) record["verify"][it.key()] = *it;
  }
  return {json_line(record), record["id"].get<std::string>()};
}

// Sends a batch; when the batch as a whole fails (crash, hang, garbage), it is bisected until the
// kernels at fault are alone, so only they are lost.
void process(RunState& state, Worker& worker, std::int64_t& next_id, std::vector<Pending>& batch,
             std::vector<SampleResult>& out) {
  std::vector<protocol::SourceItem> items;
  for (const auto& p : batch) items.push_back({sample_label(p.index), p.kernel.python});
  std::int64_t id = next_id++;
  std::string request = state.options.verify == "compile" ? protocol::compile_sources_request(id, items)
                                                           : protocol::codegen_sources_request(id, items);
  CallOutcome outcome = worker.call(id, request, state.options.batch_timeout);
  if (outcome.kind == CallOutcome::Kind::kOk && outcome.result["items"].size() == batch.size()) {
    for (size_t k = 0; k < batch.size(); ++k) {
      const auto& item = outcome.result["items"][k];
      SampleResult r = verdict_of(batch[k], item);
      if (r.ok) {
        try {
          std::tie(r.record, r.id) = make_record(state, batch[k], item["kernels"][0], item);
        } catch (const std::exception& e) {
          r.ok = false;
          r.stage = "record";
          r.message = e.what();
        }
      }
      out.push_back(std::move(r));
    }
    return;
  }
  if (batch.size() == 1) {
    SampleResult r;
    r.index = batch[0].index;
    r.template_name = batch[0].kernel.template_name;
    r.stage = failure_stage(outcome.kind);
    r.message = outcome.detail;
    state.log.line(fmt::format("[driver] sample {} lost: {}: {}", r.index, r.stage, r.message));
    out.push_back(std::move(r));
    return;
  }
  state.log.line(fmt::format("[driver] batch of {} from sample {} failed ({}); bisecting", batch.size(), batch[0].index,
                             outcome.detail));
  std::vector<Pending> second(std::make_move_iterator(batch.begin() + batch.size() / 2),
                              std::make_move_iterator(batch.end()));
  batch.resize(batch.size() / 2);
  process(state, worker, next_id, batch, out);
  process(state, worker, next_id, second, out);
}

// The next batch, under the lock. Near the end of the queue batches shrink (to a share of what
// is left, at least an eighth of --batch), so that the workers finish together instead of one
// finishing a whole batch while the others wait. Batch sizes never change the output.
std::pair<std::uint64_t, std::uint64_t> take_batch(RunState& state) {
  auto& front = state.queue.front();
  std::uint64_t size = front.second - front.first;
  std::uint64_t floor = std::max<std::uint64_t>(1, state.options.batch / 8);
  std::uint64_t share = (state.queued + 2 * state.jobs - 1) / (2 * state.jobs);
  std::uint64_t take = std::min(size, std::max(floor, share));
  std::pair<std::uint64_t, std::uint64_t> range{front.first, front.first + take};
  front.first += take;
  if (front.first == front.second) state.queue.pop_front();
  state.queued -= take;
  return range;
}

void worker_thread(RunState& state, Worker& worker) {
  std::int64_t next_id = 1;
  int served = 0;
  for (;;) {
    std::pair<std::uint64_t, std::uint64_t> range;
    {
      std::lock_guard<std::mutex> lock(state.mutex);
      if (state.queue.empty() || !state.fatal.empty()) break;
      range = take_batch(state);
    }
    std::vector<Pending> batch;
    for (std::uint64_t i = range.first; i < range.second; ++i) {
      batch.push_back({i, state.generator.generate(gen::sample_seed(state.options.seed, i))});
    }
    std::vector<SampleResult> out;
    try {
      process(state, worker, next_id, batch, out);
    } catch (const WorkerStartError& e) {
      std::lock_guard<std::mutex> lock(state.mutex);
      state.fatal = e.what();
      state.changed.notify_all();
      break;
    }
    if (++served >= state.options.recycle_after) {
      worker.shutdown();  // a fresh process for the next batch keeps memory bounded
      served = 0;
    }
    std::lock_guard<std::mutex> lock(state.mutex);
    for (auto& r : out) {
      state.failed += !r.ok;
      ++state.finished;
      state.results.push_back(std::move(r));
    }
    state.changed.notify_all();
  }
  worker.shutdown();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.peak_rss_kb = std::max(state.peak_rss_kb, worker.peak_rss_kb());
  state.restarts += worker.restarts();
}

}  // namespace

std::uint64_t GenerateSummary::records() const {
  std::uint64_t n = 0;
  for (const auto& [id, s] : manifest.shards) n += s.records;
  return n;
}

std::uint64_t GenerateSummary::duplicates() const {
  std::uint64_t n = 0;
  for (const auto& [id, s] : manifest.shards) n += s.duplicates;
  return n;
}

std::uint64_t GenerateSummary::passed() const { return records() + duplicates(); }

std::map<std::string, std::uint64_t> GenerateSummary::failures_by_stage() const {
  std::map<std::string, std::uint64_t> counts;
  for (const auto& [id, s] : manifest.shards) {
    for (const auto& [stage, n] : s.failures_by_stage) counts[stage] += n;
  }
  return counts;
}

std::vector<ShardFailure> GenerateSummary::failures() const {
  std::vector<ShardFailure> all;
  for (const auto& [id, s] : manifest.shards) all.insert(all.end(), s.failures.begin(), s.failures.end());
  return all;
}

nlohmann::ordered_json GenerateSummary::to_json() const {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& f : failures()) {
    list.push_back({{"index", f.index}, {"template", f.template_name}, {"stage", f.stage}, {"message", f.message}});
  }
  return {{"requested", requested()},
          {"passed", passed()},
          {"verify", manifest.run.verify},
          {"duplicates_dropped", duplicates()},
          {"records", records()},
          {"shards", manifest.shards.size()},
          {"config_hash", manifest.run.config_hash},
          {"failures_by_stage", failures_by_stage()},
          {"failures", list}};
}

void GenerateSummary::print(std::ostream& out) const {
  double rate = seconds > 0 ? processed_now / seconds : 0.0;
  out << fmt::format("generated {} kernels in {} shards ({} resumed); {} processed now in {:.1f} s ({:.1f} kernels/s)\n",
                     requested(), manifest.shards.size(), resumed_shards, processed_now, seconds, rate);
  std::string level = manifest.run.verify == "compile" ? "codegen, CPU object and CUDA PTX"
                                                         : "codegen (CPU and CUDA, forward and backward)";
  out << fmt::format("passed {}: {} of {} ({:.2f}%)\n", level, passed(), requested(),
                     requested() ? 100.0 * passed() / requested() : 100.0);
  out << fmt::format("{} duplicates dropped, {} records written\n", duplicates(), records());
  if (worker_peak_rss_kb > 0) {
    out << fmt::format("worker peak memory {:.1f} MiB; {} worker restarts\n", worker_peak_rss_kb / 1024.0, worker_restarts);
  }
  auto all = failures();
  if (all.empty()) return;
  out << fmt::format("failures: {}\n", all.size());
  for (const auto& [stage, n] : failures_by_stage()) out << fmt::format("  {:<12} {}\n", stage, n);
  size_t shown = 0;
  for (const auto& f : all) {
    if (++shown > 10) {
      out << fmt::format("  ... {} more in summary.json\n", all.size() - 10);
      break;
    }
    out << fmt::format("  sample {} ({}): {}: {}\n", f.index, f.template_name, f.stage,
                       f.message.substr(0, f.message.find('\n')));
  }
}

GenerateSummary run_generate(const GenerateOptions& options, std::ostream& log) {
  auto started = std::chrono::steady_clock::now();
  gen::GeneratorConfig config = load_config(options);
  parse_shard_format(options.format);  // throws on a bad name
  WorkerCommand command = locate_worker();
  fs::path out_dir(options.out_dir);
  fs::create_directories(out_dir);
  remove_stale_temporaries(options.out_dir);
  LogFile worker_log((out_dir / kLogName).string());

  // Warp's version and the catalog come from the first worker, which then takes batches too.
  std::vector<std::unique_ptr<Worker>> workers;
  for (int j = 0; j < std::max(1, options.jobs); ++j) {
    workers.push_back(std::make_unique<Worker>(command, worker_log, options.startup_timeout));
    workers.back()->launch();
  }
  std::string warp_version = workers[0]->ensure_started().warp_version;
  std::string catalog_path = catalog::ensure_cached(*workers[0], options.startup_timeout);
  RunIdentity identity{options.seed,    options.count,  options.shard_size, config.hash(),
                       options.verify,  options.format, warp_version,       WARPSYNTH_VERSION};

  std::string manifest_path = (out_dir / kManifestName).string();
  GenerateSummary summary;
  if (auto existing = Manifest::load(manifest_path)) {
    auto diff = identity.differences(existing->run);
    if (!diff.empty()) {
      std::string text;
      for (const auto& d : diff) text += "\n  " + d;
      throw GenerateUsageError(options.out_dir + " holds another run:" + text +
                               "\nre-run that command to resume it, or choose another --out");
    }
    summary.manifest = *existing;
  } else {
    summary.manifest.run = identity;
    summary.manifest.save(manifest_path);
  }
  // A shard the manifest lists but whose file is gone is made again.
  ShardFormat format = parse_shard_format(options.format);
  for (auto it = summary.manifest.shards.begin(); it != summary.manifest.shards.end();) {
    it = fs::exists(out_dir / shard_file_name(it->first, format)) ? std::next(it) : summary.manifest.shards.erase(it);
  }
  summary.resumed_shards = summary.manifest.shards.size();

  catalog::Catalog table = catalog::Catalog::load(catalog_path);
  gen::Generator generator(table, config);
  RecordContext context{warp_version, WARPSYNTH_VERSION, ""};
  RunState state(options, generator, context, identity.config_hash, command, worker_log);

  std::vector<ShardRange> shards = plan_shards(options.count, options.shard_size);
  std::map<int, std::unique_ptr<ShardAssembler>> open_shards;  // opened at their first sample
  std::uint64_t already_done = 0;
  for (const auto& shard : shards) {
    if (summary.manifest.shards.count(shard.id)) {
      already_done += shard.end - shard.begin;
      continue;
    }
    for (std::uint64_t b = shard.begin; b < shard.end; b += options.batch) {
      state.queue.emplace_back(b, std::min<std::uint64_t>(shard.end, b + options.batch));
      state.queued += state.queue.back().second - b;
    }
  }
  std::uint64_t to_process = state.queue.empty() ? 0 : options.count - already_done;

  Progress progress(log, options.count, options.progress);
  std::vector<std::thread> threads;
  int jobs = static_cast<int>(std::min<size_t>(std::max(1, options.jobs), std::max<size_t>(1, state.queue.size())));
  state.jobs = jobs;
  if (!state.queue.empty()) {
    for (int j = 0; j < jobs; ++j) threads.emplace_back(worker_thread, std::ref(state), std::ref(*workers[j]));
  }

  std::uint64_t failed_before = 0;
  for (const auto& [id, s] : summary.manifest.shards) failed_before += s.samples - s.records - s.duplicates;
  std::unique_lock<std::mutex> lock(state.mutex);
  while (summary.manifest.shards.size() < shards.size()) {  // each complete shard is in the manifest
    state.changed.wait_for(lock, std::chrono::milliseconds(500));
    if (!state.fatal.empty()) break;
    std::vector<SampleResult> arrived;
    arrived.swap(state.results);
    std::uint64_t finished = state.finished, failed = state.failed;
    lock.unlock();
    // Records are written as they arrive (in index order within a shard) while the workers go on;
    // shards complete in any order, and each complete one is recorded in the manifest.
    for (auto& r : arrived) {
      const ShardRange& shard = shards[r.index / options.shard_size];
      auto& assembler = open_shards[shard.id];
      if (!assembler) assembler = std::make_unique<ShardAssembler>(options.out_dir, shard, format);
      assembler->add(std::move(r));
      if (!assembler->complete()) continue;
      summary.manifest.shards[shard.id] = assembler->commit();
      summary.manifest.save(manifest_path);
      open_shards.erase(shard.id);
    }
    progress.update(already_done + finished, failed_before + failed);
    lock.lock();
  }
  lock.unlock();
  for (auto& t : threads) t.join();
  if (!state.fatal.empty()) throw std::runtime_error(state.fatal);
  progress.finish(already_done + state.finished, failed_before + state.failed);

  summary.processed_now = to_process;
  summary.worker_peak_rss_kb = state.peak_rss_kb;
  summary.worker_restarts = state.restarts;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  AtomicFile summary_file((out_dir / kSummaryName).string());
  summary_file.stream() << summary.to_json().dump(2) << '\n';
  summary_file.commit();
  worker_log.line(
      fmt::format("[driver] done: {} processed in {:.1f} s, driver CPU {:.2f} s, worker peak RSS {} KiB, {} restarts",
                  to_process, summary.seconds, process_cpu_seconds(), state.peak_rss_kb, state.restarts));
  return summary;
}

std::string show_sample(const GenerateOptions& options, std::uint64_t index) {
  gen::GeneratorConfig config = load_config(options);
  LogFile quiet;
  Worker worker(locate_worker(), quiet, options.startup_timeout);
  catalog::Catalog table = catalog::Catalog::load(catalog::ensure_cached(worker, options.startup_timeout));
  worker.shutdown();
  gen::Generator generator(table, config);
  gen::GeneratedKernel kernel = generator.generate(gen::sample_seed(options.seed, index));
  return "# sample " + std::to_string(index) + " of seed " + std::to_string(options.seed) + ", template " +
         kernel.template_name + "\n" + kernel.python;
}

}  // namespace warpsynth

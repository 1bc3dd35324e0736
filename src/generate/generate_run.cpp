#include "generate/generate_run.h"

#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "catalog/catalog.h"
#include "catalog/catalog_fetch.h"
#include "dataset/record.h"
#include "driver/protocol.h"
#include "driver/worker.h"
#include "driver/worker_locator.h"
#include "gen/generator.h"
#include "gen/rng.h"
#include "util/atomic_file.h"
#include "util/log_file.h"

namespace fs = std::filesystem;

namespace warpsynth {
namespace {

constexpr const char* kSummaryName = "summary.json";
constexpr const char* kLogName = "warpsynth.log";

std::string sample_label(std::uint64_t index) { return fmt::format("sample_{:08d}.py", index); }

// One generated kernel on its way through the worker.
struct Pending {
  std::uint64_t index;
  gen::GeneratedKernel kernel;
};

// The worker's verdict on one source: the kernel's reply, or why it failed.
struct Verdict {
  bool ok = false;
  nlohmann::json kernel;
  std::string stage, message;
};

Verdict verdict_of(const nlohmann::json& item) {
  Verdict v;
  const auto& errors = item.value("errors", nlohmann::json::array());
  const auto& kernels = item.value("kernels", nlohmann::json::array());
  if (!errors.empty()) {
    v.stage = errors[0].value("stage", "codegen");
    v.message = errors[0].value("message", "");
  } else if (kernels.size() != 1) {
    v.stage = "codegen";
    v.message = fmt::format("expected one kernel, Warp found {}", kernels.size());
  } else {
    v.ok = true;
    v.kernel = kernels[0];
  }
  return v;
}

// Codegen for a batch; when the batch as a whole fails (a hang or a crash), each kernel is
// retried alone so that only the one at fault is lost.
std::vector<Verdict> codegen_batch(Worker& worker, std::int64_t& next_id, const std::vector<Pending>& batch,
                                   std::chrono::milliseconds timeout) {
  auto request = [&](const std::vector<const Pending*>& items) {
    std::vector<protocol::SourceItem> sources;
    for (const auto* p : items) sources.push_back({sample_label(p->index), p->kernel.python});
    std::int64_t id = next_id++;
    return worker.call(id, protocol::codegen_sources_request(id, sources), timeout);
  };
  std::vector<const Pending*> all;
  for (const auto& p : batch) all.push_back(&p);
  std::vector<Verdict> verdicts(batch.size());
  CallOutcome outcome = request(all);
  if (outcome.kind == CallOutcome::Kind::kOk && outcome.result["items"].size() == batch.size()) {
    for (size_t i = 0; i < batch.size(); ++i) verdicts[i] = verdict_of(outcome.result["items"][i]);
    return verdicts;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    CallOutcome single = batch.size() == 1 ? std::move(outcome) : request({all[i]});
    if (single.kind == CallOutcome::Kind::kOk && single.result["items"].size() == 1) {
      verdicts[i] = verdict_of(single.result["items"][0]);
    } else {
      verdicts[i].stage = failure_stage(single.kind);
      verdicts[i].message = single.detail;
    }
  }
  return verdicts;
}

}  // namespace

nlohmann::ordered_json GenerateSummary::to_json() const {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& f : failures) {
    list.push_back({{"index", f.index}, {"template", f.template_name}, {"stage", f.stage}, {"message", f.message}});
  }
  return {{"requested", requested},     {"passed_codegen", passed},
          {"duplicates_dropped", duplicates}, {"records", records},
          {"config_hash", config_hash}, {"failures_by_stage", failures_by_stage},
          {"failures", list}};
}

void GenerateSummary::print(std::ostream& out) const {
  out << fmt::format("generated {} kernels in {:.1f} s ({:.1f} kernels/s through Warp codegen)\n", requested, seconds,
                     seconds > 0 ? requested / seconds : 0.0);
  out << fmt::format("passed codegen (CPU and CUDA, forward and backward): {} of {} ({:.2f}%)\n", passed, requested,
                     requested ? 100.0 * passed / requested : 100.0);
  out << fmt::format("{} duplicates dropped, {} records written\n", duplicates, records);
  if (failures.empty()) return;
  out << fmt::format("failures: {}\n", failures.size());
  for (const auto& [stage, n] : failures_by_stage) out << fmt::format("  {:<10} {}\n", stage, n);
  size_t shown = 0;
  for (const auto& f : failures) {
    if (++shown > 10) {
      out << fmt::format("  ... {} more in summary.json\n", failures.size() - 10);
      break;
    }
    out << fmt::format("  sample {} ({}): {}: {}\n", f.index, f.template_name, f.stage,
                       f.message.substr(0, f.message.find('\n')));
  }
}

GenerateSummary run_generate(const GenerateOptions& options, std::ostream& log) {
  auto started = std::chrono::steady_clock::now();
  gen::GeneratorConfig config = options.config_path.empty() ? gen::GeneratorConfig::defaults()
                                                            : gen::GeneratorConfig::load(options.config_path);
  WorkerCommand command = locate_worker();
  fs::path out_dir(options.out_dir);
  fs::create_directories(out_dir);
  fs::remove(out_dir / kLogName);
  LogFile worker_log((out_dir / kLogName).string());
  Worker worker(command, worker_log, options.startup_timeout);
  const protocol::ReadyMessage ready = worker.ensure_started();

  GenerateSummary summary;
  summary.requested = options.count;
  summary.config_hash = config.hash();
  summary.catalog_path = catalog::ensure_cached(worker, options.startup_timeout);
  catalog::Catalog table = catalog::Catalog::load(summary.catalog_path);
  gen::Generator generator(table, config);
  RecordContext context{ready.warp_version, WARPSYNTH_VERSION, ""};

  AtomicFile records_file((out_dir / kGeneratedRecordsFileName).string());
  std::set<std::string> ids;
  std::int64_t next_id = 2;
  auto last_report = std::chrono::steady_clock::now();
  for (std::uint64_t start = 0; start < options.count; start += options.batch) {
    std::uint64_t end = std::min<std::uint64_t>(options.count, start + options.batch);
    std::vector<Pending> batch;
    for (std::uint64_t i = start; i < end; ++i) batch.push_back({i, generator.generate(gen::sample_seed(options.seed, i))});
    std::vector<Verdict> verdicts = codegen_batch(worker, next_id, batch, options.batch_timeout);
    for (size_t k = 0; k < batch.size(); ++k) {
      const Pending& p = batch[k];
      if (!verdicts[k].ok) {
        ++summary.failures_by_stage[verdicts[k].stage];
        summary.failures.push_back({p.index, p.kernel.template_name, verdicts[k].stage, verdicts[k].message});
        continue;
      }
      ++summary.passed;
      SyntheticInfo info;
      info.python = p.kernel.python;
      info.run_seed = options.seed;
      info.index = p.index;
      info.sample_seed = gen::sample_seed(options.seed, p.index);
      info.template_name = p.kernel.template_name;
      info.config_hash = summary.config_hash;
      info.features = p.kernel.features.to_json();
      info.launch_dims = p.kernel.launch_dims;
      info.array_shapes = nlohmann::ordered_json::object();
      for (const auto& a : p.kernel.arrays) info.array_shapes[a.name] = a.shape;
      nlohmann::ordered_json record = make_synthetic_record(verdicts[k].kernel, info, context);
      if (!ids.insert(record["id"].get<std::string>()).second) {
        ++summary.duplicates;
        continue;
      }
      records_file.stream() << record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      ++summary.records;
    }
    auto now = std::chrono::steady_clock::now();
    if (options.progress && (now - last_report > std::chrono::seconds(2) || end == options.count)) {
      double seconds = std::chrono::duration<double>(now - started).count();
      log << fmt::format("[{}/{}] {:.1f} kernels/s, {} failed\n", end, options.count, end / seconds,
                         summary.failures.size());
      last_report = now;
    }
  }
  worker.shutdown();
  AtomicFile summary_file((out_dir / kSummaryName).string());
  summary_file.stream() << summary.to_json().dump(2) << '\n';
  records_file.commit();
  summary_file.commit();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

std::string show_sample(const GenerateOptions& options, std::uint64_t index) {
  gen::GeneratorConfig config = options.config_path.empty() ? gen::GeneratorConfig::defaults()
                                                            : gen::GeneratorConfig::load(options.config_path);
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

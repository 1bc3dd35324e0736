#include "verify/verify_run.h"
#include "run/cluster_run.h"

#include <filesystem>
#include <iostream>

#include <unistd.h>
#include <mutex>

#include <fmt/format.h>
#include <xxhash.h>

#include "dataset/record.h"
#include "dataset/shard_files.h"
#include "driver/protocol.h"
#include "driver/worker.h"
#include "driver/worker_locator.h"
#include "driver/worker_pool.h"
#include "run/result_queue.h"
#include "run/run_folder.h"
#include "run/sharded_output.h"
#include "util/atomic_file.h"
#include "util/log_file.h"
#include "util/temp_dir.h"
#include "dataset/verdict.h"

namespace fs = std::filesystem;

namespace warpsynth {
namespace {

class VerifyJob : public BatchJob, public ResultQueue {
 public:
  VerifyJob(const std::vector<std::string>& lines, const VerifyOptions& options) : lines_(lines), options_(options) {}

  std::string request(std::int64_t id, std::span<const std::uint64_t> items) override {
    std::vector<protocol::SourceItem> sources;
    for (std::uint64_t index : items) {
      const bool grad = options_.level == VerifyLevel::kGrad;
      std::optional<Record> record = parsed(index);
      protocol::RunPlan plan;
      plan.grad = grad;
      plan.opt_level = options_.opt_level;
      if (record) plan = run_plan_of(*record, grad, options_.opt_level);
      // A line that is not a record is sent as an empty source (its reply is not read: see verdict_of).
      sources.push_back({fmt::format("record_{:08d}.py", index), record ? record->python : std::string(), plan});
    }
    return protocol::run_sources_request(id, sources);
  }

  bool accept(std::span<const std::uint64_t> items, const nlohmann::json& result) override {
    std::vector<protocol::SourceReply> replies;
    try {
      replies = protocol::parse_sources_reply(result);
    } catch (const protocol::ProtocolError&) {
      return false;
    }
    if (replies.size() != items.size()) return false;
    std::vector<SampleResult> out;
    for (size_t k = 0; k < items.size(); ++k) out.push_back(verdict_of(items[k], replies[k]));
    deliver(std::move(out));
    return true;
  }

  void lost(std::uint64_t item, const std::string& stage, const std::string& message) override {
    SampleResult r;
    r.index = item;
    r.stage = stage;
    r.message = message;
    r.verify.emplace_back(stage, Verdict::failed(message).text());
    deliver({std::move(r)});
  }

 private:
  SampleResult verdict_of(std::uint64_t index, const protocol::SourceReply& item) {
    SampleResult r;
    r.index = index;
    std::string problem;
    std::optional<Record> parsed_record = parsed(index, &problem);
    if (!parsed_record) {
      r.stage = "record";
      r.message = "not a record (" + problem + ")";
      r.verify.emplace_back("record", Verdict::failed(r.message).text());
      return r;
    }
    Record& record = *parsed_record;
    r.template_name = record.display_name();
    r.id = record.id;
    r.ok = true;
    std::vector<std::pair<std::string, std::string>> verdicts = item.verify;
    if (!item.errors.empty() || item.kernels.empty()) {
      // The record's Python does not give its kernel when loaded alone (an extracted record that
      // is not self-contained): nothing can be run; the record is kept, its levels skipped.
      std::string why = item.errors.empty() ? "no kernel" : item.errors[0].message.substr(0, 200);
      why = why.substr(0, why.find('\n'));
      for (const char* level : {"cpu_compile", "cuda_ptx", "cpu_run"}) {
        verdicts.emplace_back(level, Verdict::skipped("the record's Python does not load alone (" + why + ")").text());
      }
      if (options_.level == VerifyLevel::kGrad) verdicts.emplace_back("grad_check", Verdict::skipped("the record's Python does not load alone").text());
    }
    for (const auto& [level, verdict] : verdicts) {
      r.verify.emplace_back(level, verdict);
      record.verify.set(level, Verdict::parse(verdict));
      if (r.ok && verdict_drops_sample(level, verdict)) {
        r.ok = false;
        r.stage = level;
        r.message = Verdict::parse(verdict).reason;
      }
    }
    if (item.run) record.verify.run = item.run;
    if (item.grad) record.verify.grad = item.grad;
    if (options_.opt_level >= 0) record.meta.opt_level = options_.opt_level;
    if (r.ok) r.record = record.to_line();
    return r;
  }

  // The record of input line `index`; none for a line that is not one (`problem` says why).
  std::optional<Record> parsed(std::uint64_t index, std::string* problem = nullptr) const {
    try {
      return Record::parse(lines_[index]);
    } catch (const RecordFormatError& e) {
      if (problem) *problem = e.what();
      return std::nullopt;
    }
  }

  const std::vector<std::string>& lines_;
  const VerifyOptions& options_;
};

}  // namespace

RunSummary run_verify(const VerifyOptions& options, std::ostream& log) {
  auto started = std::chrono::steady_clock::now();
  if (!fs::is_directory(options.in_dir)) throw RunUsageError(options.in_dir + " is not a folder");
  std::error_code ec;
  if (fs::exists(options.out_dir) && fs::equivalent(options.in_dir, options.out_dir, ec)) {
    throw RunUsageError("--out must be another folder than the input (" + options.out_dir + ")");
  }
  const ShardFormat format = options.format;
  std::vector<std::string> lines;
  XXH3_state_t* digest = XXH3_createState();
  XXH3_64bits_reset(digest);
  int files = for_each_record(options.in_dir, [&](const std::string&, const std::string& line) {
    XXH3_64bits_update(digest, line.data(), line.size());
    XXH3_64bits_update(digest, "\n", 1);
    lines.push_back(line);
  });
  std::string input_digest = fmt::format("{:016x}", XXH3_64bits_digest(digest));
  XXH3_freeState(digest);
  if (files == 0 || lines.empty()) throw RunUsageError(options.in_dir + " holds no records (kernels.jsonl or kernels-* shards)");

  fs::path out_dir(options.out_dir);
  const RunFolder folder = prepare_run_folder(options.out_dir, "verify", options.task_shards);
  LogFile worker_log(folder.log_path);
  PoolOptions pool_options{workers_worth_starting(options.jobs, lines.size(), options.batch), options.recycle_after,
                           options.batch_timeout};
  TempDir scratch("warpsynth-verify-");
  WorkerPool pool(worker_factory(locate_worker(), worker_log, options.startup_timeout, scratch.path()), pool_options,
                  worker_log);
  pool.launch(pool_options.jobs);
  std::string warp_version = pool.first().ensure_started().warp_version;
  RunIdentity identity{0, lines.size(), options.shard_size, input_digest, verify_level_name(options.level), shard_format_name(options.format), warp_version,
                       WARPSYNTH_VERSION, options.opt_level};

  RunSummary summary;
  summary.done = "verified";
  summary.manifest = run_manifest(folder, "verify", identity, "another verification (config_hash is the input's digest)");

  VerifyJob job(lines, options);
  ShardedOutput out{options.out_dir, format, lines.size(), options.shard_size,
                    static_cast<std::uint64_t>(std::max(1, options.batch)), options.progress,
                    options.batch_timeout, {}};
  ShardRunMode mode{options.ray_address, {}, options.task_shards};
  if (!options.ray_address.empty()) {
    mode.task_args = {
        "verify", fs::absolute(options.in_dir).string(), "--out", fs::absolute(options.out_dir).string(), "--level",
        verify_level_name(options.level), "--jobs", std::to_string(options.jobs), "--batch", std::to_string(options.batch),
        "--shard-size", std::to_string(options.shard_size), "--format", shard_format_name(options.format), "--timeout",
        fmt::format("{}", options.batch_timeout.count() / 1000.0), "--quiet"};
    if (options.opt_level >= 0) mode.task_args.insert(mode.task_args.end(), {"--opt-level", std::to_string(options.opt_level)});
  }
  ShardedRunCounts counts =
      run_shards(mode, out, pool, job, job, summary.manifest, folder.manifest_path, log, summary.cluster);
  if (folder.task) return summary;  // its outcomes are printed; the driver keeps the manifest
  record_run(summary, counts, pool, started);
  AtomicFile summary_file((out_dir / "summary.json").string());
  nlohmann::ordered_json j = summary.to_json();
  j["input"] = options.in_dir;
  summary_file.stream() << with_cluster(std::move(j), summary.cluster).dump(2) << '\n';
  summary_file.commit();
  return summary;
}

}  // namespace warpsynth

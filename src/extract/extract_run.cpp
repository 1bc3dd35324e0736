#include "extract/extract_run.h"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "dataset/preambles.h"
#include "dataset/record.h"
#include "driver/protocol.h"
#include "driver/worker.h"
#include "driver/worker_locator.h"
#include "driver/worker_pool.h"
#include "extract/source_files.h"
#include "util/atomic_file.h"
#include "util/json_writer.h"
#include "util/log_file.h"

namespace fs = std::filesystem;

namespace warpsynth {
namespace {

// Orders one file's records so the output does not depend on the order Warp happens to hold
// kernels in (factory-made kernels can share a name and a line).
void sort_records(std::vector<nlohmann::ordered_json>& records) {
  auto key = [](const nlohmann::ordered_json& r) {
    return std::make_tuple(r["meta"]["source"]["line"].get<int>(), r["kernel"].get<std::string>(),
                           r["id"].get<std::string>(), r["cpu"]["forward"].dump());
  };
  std::stable_sort(records.begin(), records.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
}

struct FileResult {
  std::vector<nlohmann::ordered_json> records;
  std::vector<ExtractFailure> failures;
  int declared = 0;
  int declared_extracted = 0;
  bool failed_whole = false;
};

// Files through the worker pool, one file per request (a file's import is what can hang or
// crash, and the timeout is per file). Each file's result is kept under its number; the run puts
// them together in file order, so the output does not depend on --jobs.
class ExtractJob : public BatchJob {
 public:
  ExtractJob(const SourceList& sources, const ExtractOptions& options, const RecordContext& context,
             PreambleStore& preambles, std::ostream& log)
      : results(sources.files.size()),
        sources_(sources),
        options_(options),
        context_(context),
        preambles_(preambles),
        log_(log) {}

  std::string request(std::int64_t id, std::span<const std::uint64_t> items) override {
    const SourceFile& file = sources_.files[items[0]];
    return protocol::extract_request(id, file.path, file.label, options_.call);
  }

  bool accept(std::span<const std::uint64_t> items, const nlohmann::json& result) override {
    if (items.size() != 1) return false;
    finish(items[0], from_reply(sources_.files[items[0]], result));
    return true;
  }

  void lost(std::uint64_t item, const std::string& stage, const std::string& message) override {
    FileResult out;
    out.failed_whole = true;
    std::string why = stage == "timeout" ? "import and codegen " + message + "; worker restarted" : message;
    out.failures.push_back({sources_.files[item].label, "", stage, why});
    finish(item, std::move(out));
  }

  std::vector<FileResult> results;  // by file number

 private:
  FileResult from_reply(const SourceFile& file, const nlohmann::json& result) {
    FileResult out;
    std::set<std::string> declared;
    for (const auto& name : result.value("declared", nlohmann::json::array())) declared.insert(name.get<std::string>());
    out.declared = static_cast<int>(declared.size());
    for (const auto& error : result.value("errors", nlohmann::json::array())) {
      out.failures.push_back({file.label, error.value("kernel", ""), error.value("stage", "worker"),
                              error.value("message", "")});
      if (!error.contains("kernel")) out.failed_whole = true;
    }
    RecordContext context = context_;
    context.source_file = file.label;
    context.provenance = result.contains("provenance") ? result["provenance"] : nlohmann::json();
    std::set<std::string> extracted_names;
    for (const auto& kernel : result.value("kernels", nlohmann::json::array())) {
      try {
        out.records.push_back(make_extracted_record(kernel, context));
        for (const auto& preamble : record_preambles(kernel)) preambles_.add(preamble);
        extracted_names.insert(kernel.at("kernel").get<std::string>());
      } catch (const nlohmann::json::exception& e) {
        out.failures.push_back({file.label, kernel.value("kernel", ""), "record", e.what()});
      }
    }
    for (const auto& name : declared) out.declared_extracted += extracted_names.count(name);
    sort_records(out.records);
    return out;
  }

  // Keeps a file's result and shows it (a line per file, in the order files finish).
  void finish(std::uint64_t item, FileResult result) {
    std::lock_guard<std::mutex> lock(mutex_);
    const SourceFile& file = sources_.files[item];
    ++done_;
    if (options_.progress) {
      const size_t total = sources_.files.size();
      log_ << fmt::format("[{:>{}}/{}] {}: {} kernel{}{}\n", done_, std::to_string(total).size(), total, file.label,
                          result.records.size(), result.records.size() == 1 ? "" : "s",
                          result.failures.empty() ? "" : fmt::format(", {} failed", result.failures.size()));
    }
    results[item] = std::move(result);
  }

  const SourceList& sources_;
  const ExtractOptions& options_;
  const RecordContext& context_;
  PreambleStore& preambles_;
  std::ostream& log_;
  std::mutex mutex_;
  size_t done_ = 0;
};

}  // namespace

ExtractSummary run_extract(const ExtractOptions& options, std::ostream& log) {
  ExtractSummary summary;
  WorkerCommand command = locate_worker();
  fs::create_directories(options.out_dir);
  fs::path out_dir(options.out_dir);
  fs::remove(out_dir / kLogFileName);
  LogFile worker_log((out_dir / kLogFileName).string());
  PoolOptions pool_options{std::max(1, options.jobs), options.recycle_after, options.file_timeout};
  WorkerPool pool([&] { return std::make_unique<Worker>(command, worker_log, options.startup_timeout); },
                  pool_options, worker_log);
  const protocol::ReadyMessage& ready = pool.first().ensure_started();
  if (ready.warp_version != ready.pinned_warp_version) {
    log << fmt::format("warning: Warp {} is installed, the worker was written against {}\n", ready.warp_version,
                       ready.pinned_warp_version);
  }
  RecordContext context{ready.warp_version, WARPSYNTH_VERSION, "", nullptr};
  PreambleStore preambles(out_dir);

  // --package: the worker finds where the package is installed, as an import would.
  std::vector<std::string> inputs = options.inputs;
  std::int64_t id = 1;
  for (const auto& name : options.packages) {
    CallOutcome outcome = pool.first().call(id, protocol::locate_package_request(id, name), options.startup_timeout);
    ++id;
    if (outcome.kind == CallOutcome::Kind::kOk && outcome.result.contains("path")) {
      inputs.push_back(outcome.result["path"].get<std::string>());
    } else {
      summary.add_failure({name, "", "input", outcome.detail.empty() ? "no installed package " + name : outcome.detail});
    }
  }
  SourceList sources = collect_sources(inputs);
  for (const auto& problem : sources.problems) summary.add_failure({problem.input, "", "input", problem.message});

  pool.launch(static_cast<int>(std::min<std::size_t>(sources.files.size(), pool_options.jobs)));
  ExtractJob job(sources, options, context, preambles, log);
  BatchQueue queue(1);
  queue.add(0, sources.files.size());
  pool.run(queue, job);
  pool.shutdown();

  // Put together in file order: the same output for any number of workers.
  std::vector<nlohmann::ordered_json> records;
  std::set<std::string> ids;
  for (size_t i = 0; i < sources.files.size(); ++i) {
    const SourceFile& file = sources.files[i];
    FileResult& result = job.results[i];
    ++summary.files;
    summary.declared += result.declared;
    summary.declared_extracted += result.declared_extracted;
    summary.kernels_extracted += static_cast<int>(result.records.size());
    for (auto& failure : result.failures) summary.add_failure(std::move(failure));
    if (!result.records.empty()) {
      ++summary.files_with_kernels;
    } else if (!result.failed_whole && result.failures.empty()) {
      ++summary.files_without_kernels;
      if (file.named_explicitly) summary.add_failure({file.label, "", "no-kernels", "no @wp.kernel found in this file"});
    }
    for (auto& record : result.records) {
      if (ids.insert(record["id"].get<std::string>()).second) {
        records.push_back(std::move(record));
      } else {
        ++summary.duplicates;
      }
    }
  }
  summary.records = static_cast<int>(records.size());

  AtomicFile records_file((out_dir / kRecordsFileName).string());
  for (const auto& record : records) {
    records_file.stream() << json_line(record) << '\n';
  }
  AtomicFile summary_file((out_dir / kSummaryFileName).string());
  summary_file.stream() << summary.to_json().dump(2) << '\n';
  records_file.commit();
  summary_file.commit();
  return summary;
}

}  // namespace warpsynth

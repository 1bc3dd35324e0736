#include "extract/extract_run.h"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <numeric>
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
#include "util/temp_dir.h"
#include "util/log_file.h"

namespace fs = std::filesystem;

namespace warpsynth {
namespace {

// Orders one file's records so the output does not depend on the order Warp happens to hold
// kernels in (factory-made kernels can share a name and a line).
void sort_records(std::vector<Record>& records) {
  auto key = [](const Record& r) {
    // The forward as its JSON text (null for none), as records were always ordered.
    const auto& forward = r.code.cpu.forward;
    return std::make_tuple(r.meta.source->line, r.kernel, r.id,
                           (forward ? nlohmann::json(*forward) : nlohmann::json()).dump());
  };
  std::stable_sort(records.begin(), records.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
}

struct FileResult {
  std::vector<Record> records;
  std::vector<ExtractFailure> failures;
  int declared = 0;
  int declared_extracted = 0;
  bool failed_whole = false;
  bool lost = false;  // no reply at all (crash, hang, garbage): `declared` is not known yet
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

  // The queue's items are positions in `order`, which lists the files that are not in a package
  // first: a worker holds a package's modules only once it has come to the package's files, so a
  // script never runs next to them (one that compiles every loaded module would compile them).
  void set_order(std::vector<std::size_t> order) { order_ = std::move(order); }

  std::string request(std::int64_t id, std::span<const std::uint64_t> items) override {
    const SourceFile& file = sources_.files[order_[items[0]]];
    return protocol::extract_request(id, file.path, file.label, options_.call);
  }

  bool accept(std::span<const std::uint64_t> items, const nlohmann::json& result) override {
    if (items.size() != 1) return false;
    std::size_t index = order_[items[0]];
    protocol::SourceReply reply;
    try {
      reply = protocol::parse_source_reply(result);
    } catch (const protocol::ProtocolError& e) {
      lost(items[0], "protocol", e.what());
      return true;
    }
    finish(index, from_reply(sources_.files[index], reply));
    return true;
  }

  void lost(std::uint64_t item, const std::string& stage, const std::string& message) override {
    std::size_t index = order_[item];
    FileResult out;
    out.failed_whole = true;
    out.lost = true;
    std::string why = stage == "timeout" ? "import and codegen " + message + "; worker restarted" : message;
    out.failures.push_back({sources_.files[index].label, "", stage, why});
    finish(index, std::move(out));
  }

  std::vector<FileResult> results;  // by file number

 private:
  FileResult from_reply(const SourceFile& file, const protocol::SourceReply& reply) {
    FileResult out;
    std::set<std::string> declared(reply.declared.begin(), reply.declared.end());
    out.declared = static_cast<int>(declared.size());
    for (const auto& error : reply.errors) {
      out.failures.push_back({file.label, error.kernel, error.stage, error.message});
      if (error.kernel.empty()) out.failed_whole = true;
    }
    RecordContext context = context_;
    context.source_file = file.label;
    context.provenance = reply.provenance;
    std::set<std::string> extracted_names;
    for (const auto& kernel : reply.kernels) {
      try {
        out.records.push_back(make_extracted_record(kernel, context));
        for (const auto& preamble : record_preambles(kernel)) preambles_.add(preamble);
        extracted_names.insert(kernel.kernel);
      } catch (const std::exception& e) {
        out.failures.push_back({file.label, kernel.kernel, "record", e.what()});
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
  std::vector<std::size_t> order_;
  std::mutex mutex_;
  size_t done_ = 0;
};

// --package NAME: the first worker finds where each package is installed, as an import would; its
// folder joins `inputs` (named "--package NAME"), and a package not found is a failure. `id` is
// the next request id.
void locate_packages(WorkerConnection& worker, const ExtractOptions& options, std::vector<std::string>& inputs,
                     std::vector<std::string>& input_names, ExtractSummary& summary, std::int64_t& id) {
  for (const auto& name : options.packages) {
    CallOutcome outcome = worker.call(id, protocol::locate_package_request(id, name), options.startup_timeout);
    ++id;
    std::string path;
    if (outcome.kind == CallOutcome::Kind::kOk) {
      try {
        path = protocol::parse_package_location(outcome.result);
      } catch (const protocol::ProtocolError& e) {
        outcome.detail = e.what();
      }
    }
    if (!path.empty()) {
      inputs.push_back(path);
      input_names.push_back("--package " + name);
    } else {
      summary.add_failure({name, "", "input", outcome.detail.empty() ? "no installed package " + name : outcome.detail});
    }
  }
}

// A file that took its worker down has no count of its kernels: they are counted from its source
// alone (no import), so that they count as missed.
void count_kernels_of_lost_files(WorkerConnection& worker, const SourceList& sources, const ExtractOptions& options,
                                 std::vector<FileResult>& results, std::int64_t& id) {
  for (size_t i = 0; i < sources.files.size(); ++i) {
    FileResult& result = results[i];
    if (!result.lost) continue;
    CallOutcome outcome = worker.call(id, protocol::declared_request(id, sources.files[i].path), options.startup_timeout);
    ++id;
    if (outcome.kind == CallOutcome::Kind::kOk) {
      try {
        result.declared = static_cast<int>(protocol::parse_declared_reply(outcome.result).size());
      } catch (const protocol::ProtocolError&) {
        // not counted: the summary still names the file as failed
      }
    }
  }
}

// The records of every file, put together in file order (the same output for any number of
// workers), each id once, with the summary's counts.
std::vector<Record> gather_records(const SourceList& sources, std::vector<FileResult>& results,
                                                   ExtractSummary& summary) {
  std::vector<Record> records;
  std::set<std::string> ids;
  for (size_t i = 0; i < sources.files.size(); ++i) {
    const SourceFile& file = sources.files[i];
    FileResult& result = results[i];
    ++summary.files;
    summary.declared += result.declared;
    summary.declared_extracted += result.declared_extracted;
    InputCoverage& coverage = summary.by_input[file.input];
    ++coverage.files;
    coverage.declared += result.declared;
    coverage.declared_extracted += result.declared_extracted;
    summary.kernels_extracted += static_cast<int>(result.records.size());
    for (auto& failure : result.failures) summary.add_failure(std::move(failure));
    if (!result.records.empty()) {
      ++summary.files_with_kernels;
    } else if (!result.failed_whole && result.failures.empty()) {
      ++summary.files_without_kernels;
      if (file.named_explicitly) summary.add_failure({file.label, "", "no-kernels", "no @wp.kernel found in this file"});
    }
    for (auto& record : result.records) {
      if (ids.insert(record.id).second) {
        records.push_back(std::move(record));
      } else {
        ++summary.duplicates;
      }
    }
  }
  return records;
}

}  // namespace

ExtractSummary run_extract(const ExtractOptions& options, std::ostream& log) {
  ExtractSummary summary;
  WorkerCommand command = locate_worker();
  fs::create_directories(options.out_dir);
  fs::path out_dir(options.out_dir);
  fs::remove(out_dir / kLogFileName);
  LogFile worker_log((out_dir / kLogFileName).string());
  PoolOptions pool_options{std::max(1, options.jobs), options.recycle_after, options.file_timeout};
  TempDir scratch("warpsynth-run-");  // the workers' kernel caches
  auto setup = std::make_shared<WorkerSetup>();  // given once the files are known
  WorkerPool pool(worker_factory(command, worker_log, options.startup_timeout, scratch.path(), setup,
                                 WorkerLimits{options.memory_limit_bytes, options.cpu_limit_s}), pool_options,
                  worker_log);
  const protocol::ReadyMessage& ready = pool.first().ensure_started();
  if (ready.warp_version != ready.pinned_warp_version) {
    log << fmt::format("warning: Warp {} is installed, the worker was written against {}\n", ready.warp_version,
                       ready.pinned_warp_version);
  }
  RecordContext context{ready.warp_version, WARPSYNTH_VERSION, "", std::nullopt};
  PreambleStore preambles(out_dir);

  // --package: the worker finds where the package is installed, as an import would.
  std::vector<std::string> inputs = options.inputs;
  // Inputs are named in the summary as their labels start (a folder's or a file's own name), so
  // that the summary holds no absolute path.
  std::vector<std::string> input_names;
  for (const auto& input : options.inputs) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(fs::path(input), ec);
    input_names.push_back(ec || canonical.filename().empty() ? input : canonical.filename().string());
  }
  std::int64_t id = 1;
  locate_packages(pool.first(), options, inputs, input_names, summary, id);
  SourceList sources = collect_sources(inputs);
  for (const auto& problem : sources.problems) summary.add_failure({problem.input, "", "input", problem.message});

  // A package's modules import each other, and what one imports can change another's kernels
  // (overloads declared elsewhere, factories called elsewhere). So that a file's records do not
  // depend on which files its worker took before (nor on --jobs), each worker is told the run's
  // files (a set-up request) and imports all of a package's, in one order, before it extracts
  // the package's first file; the first worker, started before the files were known, starts again.
  // Files that are not in a package go first.
  auto in_package = [](const SourceFile& f) { return fs::exists(fs::path(f.path).parent_path() / "__init__.py"); };
  std::vector<std::size_t> order(sources.files.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_partition(order.begin(), order.end(), [&](std::size_t i) { return !in_package(sources.files[i]); });
  bool any_package_file = std::any_of(sources.files.begin(), sources.files.end(), in_package);
  if (any_package_file) {
    std::vector<std::string> paths;
    for (const auto& f : sources.files) paths.push_back(f.path);
    std::sort(paths.begin(), paths.end());
    setup->request_line = protocol::preload_request(0, paths);
    setup->timeout = options.preload_timeout;
    pool.first().shutdown();
  }

  pool.launch(static_cast<int>(std::min<std::size_t>(sources.files.size(), pool_options.jobs)));
  ExtractJob job(sources, options, context, preambles, log);
  job.set_order(std::move(order));
  BatchQueue queue(1);
  queue.add(0, sources.files.size());
  pool.run(queue, job);

  count_kernels_of_lost_files(pool.first(), sources, options, job.results, id);
  pool.shutdown();

  summary.by_input.resize(inputs.size());
  for (size_t k = 0; k < inputs.size(); ++k) summary.by_input[k].input = input_names[k];

  std::vector<Record> records = gather_records(sources, job.results, summary);
  summary.records = static_cast<int>(records.size());

  AtomicFile records_file((out_dir / kRecordsFileName).string());
  for (const auto& record : records) {
    records_file.stream() << record.to_line() << '\n';
  }
  AtomicFile summary_file((out_dir / kSummaryFileName).string());
  summary_file.stream() << summary.to_json().dump(2) << '\n';
  records_file.commit();
  summary_file.commit();
  return summary;
}

}  // namespace warpsynth

#include "extract/extract_run.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "dataset/preambles.h"
#include "dataset/record.h"
#include "driver/protocol.h"
#include "driver/worker.h"
#include "driver/worker_locator.h"
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
  int declared = 0;
  int declared_extracted = 0;
  bool failed_whole = false;
};

FileResult extract_one(Worker& worker, std::int64_t id, const SourceFile& file, const ExtractOptions& options,
                       const RecordContext& base_context, PreambleStore& preambles, ExtractSummary& summary) {
  FileResult out;
  CallOutcome outcome =
      worker.call(id, protocol::extract_request(id, file.path, file.label, options.call), options.file_timeout);
  if (outcome.kind != CallOutcome::Kind::kOk) {
    std::string message = outcome.detail;
    if (outcome.kind == CallOutcome::Kind::kTimeout) message = "import and codegen " + message + "; worker restarted";
    summary.add_failure({file.label, "", failure_stage(outcome.kind), message});
    out.failed_whole = true;
    return out;
  }

  const auto& result = outcome.result;
  std::set<std::string> declared;
  for (const auto& name : result.value("declared", nlohmann::json::array())) declared.insert(name.get<std::string>());
  out.declared = static_cast<int>(declared.size());

  for (const auto& error : result.value("errors", nlohmann::json::array())) {
    summary.add_failure({file.label, error.value("kernel", ""), error.value("stage", "worker"),
                         error.value("message", "")});
    if (!error.contains("kernel")) out.failed_whole = true;
  }

  RecordContext context = base_context;
  context.source_file = file.label;
  std::set<std::string> extracted_names;
  for (const auto& kernel : result.value("kernels", nlohmann::json::array())) {
    try {
      out.records.push_back(make_extracted_record(kernel, context));
      for (const auto& preamble : record_preambles(kernel)) preambles.add(preamble);
      extracted_names.insert(kernel.at("kernel").get<std::string>());
    } catch (const nlohmann::json::exception& e) {
      summary.add_failure({file.label, kernel.value("kernel", ""), "record", e.what()});
    }
  }
  for (const auto& name : declared) out.declared_extracted += extracted_names.count(name);
  sort_records(out.records);
  return out;
}

}  // namespace

ExtractSummary run_extract(const ExtractOptions& options, std::ostream& log) {
  ExtractSummary summary;
  SourceList sources = collect_sources(options.inputs);
  for (const auto& problem : sources.problems) summary.add_failure({problem.input, "", "input", problem.message});

  WorkerCommand command = locate_worker();
  fs::create_directories(options.out_dir);
  fs::path out_dir(options.out_dir);
  fs::remove(out_dir / kLogFileName);
  LogFile worker_log((out_dir / kLogFileName).string());
  Worker worker(command, worker_log, options.startup_timeout);
  const protocol::ReadyMessage& ready = worker.ensure_started();
  if (ready.warp_version != ready.pinned_warp_version) {
    log << fmt::format("warning: Warp {} is installed, the worker was written against {}\n", ready.warp_version,
                       ready.pinned_warp_version);
  }
  RecordContext context{ready.warp_version, WARPSYNTH_VERSION, ""};
  PreambleStore preambles(out_dir);

  std::vector<nlohmann::ordered_json> records;
  std::set<std::string> ids;
  const int total = static_cast<int>(sources.files.size());
  for (int i = 0; i < total; ++i) {
    const SourceFile& file = sources.files[i];
    size_t failures_before = summary.failures.size();
    FileResult result = extract_one(worker, i + 1, file, options, context, preambles, summary);
    ++summary.files;
    summary.declared += result.declared;
    summary.declared_extracted += result.declared_extracted;
    summary.kernels_extracted += static_cast<int>(result.records.size());
    if (!result.records.empty()) {
      ++summary.files_with_kernels;
    } else if (!result.failed_whole && summary.failures.size() == failures_before) {
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
    if (options.progress) {
      size_t new_failures = summary.failures.size() - failures_before;
      log << fmt::format("[{:>{}}/{}] {}: {} kernel{}{}\n", i + 1, std::to_string(total).size(), total, file.label,
                         result.records.size(), result.records.size() == 1 ? "" : "s",
                         new_failures ? fmt::format(", {} failed", new_failures) : "");
    }
  }
  worker.shutdown();
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

// `warpsynth extract`: every kernel in the given Python files and folders, one record each.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "extract/extract_summary.h"

namespace warpsynth {

struct ExtractOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> packages;  // installed packages by import name, extracted as folders
  std::string out_dir;
  std::chrono::milliseconds file_timeout{120'000};
  std::chrono::milliseconds startup_timeout{120'000};
  std::chrono::milliseconds preload_timeout{600'000};  // a worker importing the run's package files
  bool progress = true;  // a line per file on `log`
  std::string call;      // a function of each file to call after the import (kernels it makes are extracted)
  int jobs = 1;          // worker processes, each taking files in turn
  int recycle_after = 250;  // files a worker takes before it is replaced (bounds its memory)
  // Each worker's memory (RLIMIT_DATA) and CPU time per file: the code of the files runs in them.
  std::uint64_t memory_limit_bytes = std::uint64_t{8} << 30;
  double cpu_limit_s = 600.0;
};

inline constexpr const char* kRecordsFileName = "kernels.jsonl";
inline constexpr const char* kSummaryFileName = "summary.json";
inline constexpr const char* kLogFileName = "warpsynth.log";

// Runs the extraction, writes <out>/kernels.jsonl and <out>/summary.json (each complete or not
// at all) and returns the summary. Throws std::runtime_error when the run cannot happen at all
// (no worker, unwritable output); per-file and per-kernel problems are in the summary.
ExtractSummary run_extract(const ExtractOptions& options, std::ostream& log);

}  // namespace warpsynth

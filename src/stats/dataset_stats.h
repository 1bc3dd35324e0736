// Figures of a dataset (a folder holding kernels.jsonl): counts by origin and template, how many
// kernels use each construct, builtins and types covered, verification outcomes, sizes.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stats/quality_stats.h"

namespace warpsynth {

struct DatasetStats {
  std::uint64_t records = 0;
  std::uint64_t distinct_python = 0;  // distinct ids (hash of the normalized Python)
  std::map<std::string, std::uint64_t> origins;
  std::map<std::string, std::uint64_t> templates;
  std::map<std::string, std::uint64_t> constructs;  // kernels using each construct
  std::map<std::string, std::uint64_t> builtins;    // kernels calling each builtin
  std::map<std::string, std::uint64_t> types;       // kernels using each type
  std::map<std::string, std::map<std::string, std::uint64_t>> verify;  // level -> outcome -> kernels
  // A generate run's summary.json: per level, every sample's verdict (the failed ones too, which
  // have no record), with reasons. Null when the folder has none.
  nlohmann::json run_verify_levels;
  std::map<std::string, double> mean_lines;
  // Every record's line counts (python, cpu_forward, ...), in record order: the histograms of
  // `stats --report`. Not in to_json().
  std::map<std::string, std::vector<double>> lines;
  QualityStats quality;  // of the records that carry meta.quality

  // Throws std::runtime_error naming the file and line of a record that is not JSON.
  static DatasetStats of_folder(const std::string& dir);
  nlohmann::ordered_json to_json() const;
  void print(std::ostream& out) const;
};

}  // namespace warpsynth

// The quality measures of a dataset's records (meta.quality, written by the worker's quality.py,
// the same code for generated and extracted kernels), summed over the records, and compared with a
// reference dataset: side by side, with the Jensen-Shannon divergence of the wp.* call histograms.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "driver/protocol.h"

namespace warpsynth {

struct QualityStats {
  std::uint64_t kernels = 0;  // records that carry meta.quality
  std::map<std::string, std::uint64_t> totals;   // sum of each count (assignments, dead_assignments, ...)
  std::map<std::string, std::uint64_t> kernels_with;  // kernels where a count is > 0, or a flag is true
  std::map<std::string, std::uint64_t> calls;    // wp.* calls by name, over all kernels
  std::vector<int> cpu_forward_lines;            // of every record, sorted by finish()

  // One record's measures, and the lines of its CPU forward function.
  void add(const protocol::QualityMeasures& quality, int cpu_forward);
  void finish();

  // The figures the issue tracker and bench/realism.py use, by stable name: shares in [0, 1].
  nlohmann::ordered_json measures() const;
  nlohmann::ordered_json to_json() const;  // measures + calls + line quantiles
  // Reads what to_json() wrote (a reference kept in a file).
  static QualityStats from_json(const nlohmann::json& j);
  void print(std::ostream& out) const;
  void print_against(std::ostream& out, const QualityStats& reference) const;
};

// Jensen-Shannon divergence (base 2, in [0, 1]) of two histograms over names.
double jensen_shannon(const std::map<std::string, std::uint64_t>& p, const std::map<std::string, std::uint64_t>& q);

}  // namespace warpsynth

// What every command that writes shards (generate, verify) reports: the counts its manifest holds,
// the work done by this invocation, and the cluster's figures; summary.json and the lines printed.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run/manifest.h"

namespace warpsynth {

// A run that cannot start as asked: another run's output in the folder, a bad option or input.
struct RunUsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct RunSummary {
  Manifest manifest;
  std::string done = "generated";    // what the run did to its samples, as the first line says it
  std::uint64_t resumed_shards = 0;  // complete before this invocation
  double seconds = 0;
  std::uint64_t processed_now = 0;   // samples processed by this invocation
  long worker_peak_rss_kb = 0;
  int worker_restarts = 0;
  nlohmann::ordered_json cluster;  // --ray: nodes, tasks, retries (null for a local run)

  std::uint64_t requested() const { return manifest.run.count; }
  std::uint64_t records() const;
  std::uint64_t passed() const;
  std::uint64_t duplicates() const;
  std::map<std::string, std::uint64_t> failures_by_stage() const;
  // Per verification level, the samples that passed, failed and were skipped, with the reasons
  // (failed samples included: a sample is counted at each level it reached).
  std::map<std::string, LevelCounts> verify_levels() const;
  std::vector<ShardFailure> failures() const;
  // Deterministic (no times): the same run gives the same bytes, interrupted or not.
  nlohmann::ordered_json to_json() const;
  // The lines a person reads: counts, verification, memory, failures, then the cluster's figures.
  void print(std::ostream& out) const;

 private:
  void print_failures(std::ostream& out) const;
};

// `summary` with the run's cluster section {address, nodes, tasks, retries} last, for --ray runs.
nlohmann::ordered_json with_cluster(nlohmann::ordered_json summary, const nlohmann::ordered_json& cluster);

}  // namespace warpsynth

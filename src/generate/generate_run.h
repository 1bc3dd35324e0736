// `warpsynth generate`: kernels from the typed generator, run through J long-lived Warp workers
// in batches, written as shards with a manifest, resumable after a crash or a kill.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "generate/manifest.h"

namespace warpsynth {

struct GenerateOptions {
  std::uint64_t count = 100;
  std::uint64_t seed = 0;
  std::string out_dir;
  std::string config_path;    // empty: built-in defaults
  int jobs = 1;               // worker processes
  int batch = 32;             // kernels per worker request
  std::uint64_t shard_size = 1000;
  std::string format = "jsonl";    // jsonl | jsonl.zst | json
  std::string verify = "codegen";  // codegen | compile | run | grad
  int opt_level = -1;              // run, grad: the builds' optimization level (CPU and NVRTC); -1: Warp's defaults
  int recycle_after = 100;         // batches a worker serves before it is replaced (bounds its memory)
  std::chrono::milliseconds batch_timeout{300'000};
  std::chrono::milliseconds startup_timeout{120'000};
  bool progress = true;
  // --ray ADDRESS: the shards not yet done are made by tasks on a Ray cluster (cluster_run.h).
  std::string ray_address;
  // A cluster task: make only these shards into out_dir (whose manifest the driver keeps), print
  // each one's outcome as a JSON line on stdout, write no manifest or summary.
  std::vector<int> task_shards;
};

// A run that cannot start as asked: another run's output in the folder, a bad option.
struct GenerateUsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct GenerateSummary {
  Manifest manifest;
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

GenerateSummary run_generate(const GenerateOptions& options, std::ostream& log);

// The Python source of one sample of a run (same seed and config), made alone.
std::string show_sample(const GenerateOptions& options, std::uint64_t index);

// The seed of the inputs `--verify run` and `grad` launch sample `index` on (31 bits: the worker
// seeds numpy with it); `warpsynth verify` gives a generated record the same one, so that its
// checksum replays.
inline std::uint64_t run_input_seed(std::uint64_t sample_seed, std::uint64_t index) {
  return (sample_seed ^ index) & 0x7fffffffull;
}

}  // namespace warpsynth

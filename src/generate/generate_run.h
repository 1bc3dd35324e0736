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

#include "dataset/shard_files.h"
#include "run/run_summary.h"
#include "run/verify_level.h"

namespace warpsynth {

struct GenerateOptions {
  std::uint64_t count = 100;
  std::uint64_t seed = 0;
  std::string out_dir;
  std::string config_path;    // empty: built-in defaults
  std::string from_dir;       // variants of the self-contained real kernels of this folder; empty: from scratch
  int jobs = 1;               // worker processes
  int batch = 32;             // kernels per worker request
  std::uint64_t shard_size = 1000;
  ShardFormat format = ShardFormat::kJsonl;
  VerifyLevel verify = VerifyLevel::kCodegen;
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

RunSummary run_generate(const GenerateOptions& options, std::ostream& log);

// The Python source of one sample of a run (same seed and config), made alone.
std::string show_sample(const GenerateOptions& options, std::uint64_t index);

}  // namespace warpsynth

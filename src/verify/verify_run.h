// `warpsynth verify`: the records of an existing dataset (generated or extracted, any format)
// run through the worker pool at a verification level above codegen, and written again with
// their `verify` results filled in: shards with a manifest, resumable like `generate`.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "dataset/shard_files.h"
#include "run/run_summary.h"
#include "run/verify_level.h"

namespace warpsynth {

struct VerifyOptions {
  std::string in_dir;
  std::string out_dir;
  VerifyLevel level = VerifyLevel::kRun;  // run or grad
  int opt_level = -1;         // the builds' optimization level (CPU and NVRTC); -1: Warp's defaults
  int jobs = 1;
  int batch = 8;  // records per worker request
  std::uint64_t shard_size = 1000;
  ShardFormat format = ShardFormat::kJsonl;
  int recycle_after = 100;
  std::chrono::milliseconds batch_timeout{600'000};
  std::chrono::milliseconds startup_timeout{120'000};
  bool progress = true;
  std::string ray_address;      // --ray: the shards are made on a Ray cluster (run/cluster_run.h)
  std::vector<int> task_shards; // a cluster task: only these shards, outcomes on stdout, no manifest
};

// The counts are a generate run's (samples are the input's records, in the order read); the
// manifest's command is "verify" and its run's config_hash is the digest of the input records,
// so that a folder holding the verification of other records is refused. Throws
// RunUsageError for a run that cannot start as asked, std::runtime_error otherwise.
RunSummary run_verify(const VerifyOptions& options, std::ostream& log);

}  // namespace warpsynth

// The part of a run that `generate` and `verify` share: items numbered 0..count-1, cut into
// shards of `shard_size`, run through the worker pool, and written shard by shard as their
// results arrive, each complete shard recorded in the manifest (so that the same command resumes
// at the first incomplete one).
#pragma once

#include <chrono>
#include <set>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "dataset/shard_files.h"
#include "driver/worker_pool.h"
#include "run/run_summary.h"
#include "run/manifest.h"
#include "run/result_queue.h"

namespace warpsynth {

struct ShardedOutput {
  std::string dir;
  ShardFormat format = ShardFormat::kJsonl;
  std::uint64_t count = 0;
  std::uint64_t shard_size = 1000;
  std::uint64_t batch = 32;
  bool progress = true;
  // The batch timeout: shards some of whose samples timed out under a shorter one are made again.
  std::chrono::milliseconds timeout{0};
  // When not empty, only these shards are made (a cluster task: src/run/cluster_run.h).
  std::set<int> only_shards;
};

struct ShardedRunCounts {
  std::uint64_t processed_now = 0;  // items of the shards that were not done before
  std::uint64_t resumed_shards = 0;
};

// The manifest of a run in `path`: the one there when it is of the same run (resumed), else a new
// one, saved. Throws RunUsageError listing the differences when the folder holds another run
// (`another` names it in the message: "another run", "another verification").
Manifest open_manifest(const std::string& path, const std::string& command, const RunIdentity& identity,
                       const std::string& out_dir, const std::string& another);

// Drops from `manifest` the shards whose files are gone or differ from what the manifest recorded
// (size, checksum), and those whose samples timed out under a shorter timeout than out.timeout,
// saying so on `log`, and saves it.
void drop_untrusted_shards(const ShardedOutput& out, Manifest& manifest, const std::string& manifest_path,
                           std::ostream& log);

// drop_untrusted_shards, then queues the rest of the items, runs them
// through `pool` with `job` (which delivers its results to `results`), writes every shard and saves
// the manifest after each (not saved when `manifest_path` is empty). Returns once every shard is
// written; throws WorkerStartError when a worker could not start.
ShardedRunCounts run_sharded(const ShardedOutput& out, WorkerPool& pool, BatchJob& job, ResultQueue& results,
                             Manifest& manifest, const std::string& manifest_path, std::ostream& log);

}  // namespace warpsynth

// What `generate` and `verify` do alike around their shards: the folder and log of a run (or of
// one cluster task of it), how many workers are worth starting, the manifest the run keeps, and
// the summary's figures of the work done now.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "driver/worker_pool.h"
#include "run/run_summary.h"
#include "run/manifest.h"
#include "run/sharded_output.h"

namespace warpsynth {

struct RunFolder {
  std::string dir;
  bool task = false;          // a cluster task: some shards of a run whose driver keeps the manifest
  std::string log_path;       // DIR/warpsynth.log; a task's is its node's, in the temporary folder
  std::string manifest_path;  // DIR/manifest.json; empty for a task
};

// Makes the folder and, for a whole run, removes the temporary files a killed run left. A cluster
// task shares the folder with other tasks and the driver, so it leaves their temporary files, the
// manifest and the log alone.
RunFolder prepare_run_folder(const std::string& out_dir, const std::string& command,
                             const std::vector<int>& task_shards);

// `jobs`, but no more workers than batches of `items`: each would start Warp (about 0.2 GB) for
// nothing. At least one.
int workers_worth_starting(int jobs, std::uint64_t items, int batch);

// The manifest the run keeps: the folder's (resumed when it is this run's, refused with
// `another` in the message when it is not), or for a task an empty one in memory.
Manifest run_manifest(const RunFolder& folder, const std::string& command, const RunIdentity& identity,
                      const std::string& another);

// The summary's figures of the work done by this invocation.
void record_run(RunSummary& summary, const ShardedRunCounts& counts, const WorkerPool& pool,
                std::chrono::steady_clock::time_point started);

}  // namespace warpsynth

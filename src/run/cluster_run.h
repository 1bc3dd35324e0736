// `generate --ray ADDRESS` and `verify --ray ADDRESS`: the shards a run has not done are made by tasks on a Ray cluster. The
// driver (this process) keeps the manifest, as a local run does; each task runs this binary on its
// node for one shard (`--cluster-task-shards ID`, with local workers) and writes the shard, whole,
// into the output folder, which every node reaches. The Ray side is a thin Python launcher
// (python/warpsynth_ray/launch.py) that submits the tasks and reports each finished shard as a line.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run/manifest.h"
#include "run/sharded_output.h"

namespace warpsynth {

// "" when `address` is "auto" or HOST:PORT (a port in 1..65535), else why not.
std::string ray_address_problem(const std::string& address);

// "" when something accepts a TCP connection at HOST:PORT within a few seconds ("auto": not
// checked here), else why not: checked before any work, so that a wrong address costs nothing.
std::string ray_address_unreachable(const std::string& address);

// Raised when the cluster cannot be used (nothing at the address, a node that cannot reach the
// output folder: before any shard is made) or fails the run (a shard's task failing after Ray's
// retries, the launcher ending early: the shards done stay in the manifest for a resume).
struct ClusterError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Makes the shards `manifest` lacks on the cluster at `address`, each by a task running this
// binary with `task_args` and `--cluster-task-shards ID`, saving the manifest after each; `cluster`
// gets {address, nodes, tasks, retries}.
ShardedRunCounts run_on_cluster(const std::string& address, const std::vector<std::string>& task_args,
                                const ShardedOutput& out, Manifest& manifest, const std::string& manifest_path,
                                std::ostream& log, nlohmann::ordered_json& cluster);

// How a `generate` or `verify` run makes its shards, one mechanism for both: on the cluster at
// `ray_address` (the local pool shut down; tasks run `task_args`), as a cluster task (only
// `task_shards`, each outcome printed on stdout as a JSON line), or locally through `pool`.
struct ShardRunMode {
  std::string ray_address;
  std::vector<std::string> task_args;  // for the cluster's tasks
  std::vector<int> task_shards;        // this process is a cluster task
};
ShardedRunCounts run_shards(const ShardRunMode& mode, ShardedOutput out, WorkerPool& pool, BatchJob& job,
                            ResultQueue& results, Manifest& manifest, const std::string& manifest_path,
                            std::ostream& log, nlohmann::ordered_json& cluster);

}  // namespace warpsynth

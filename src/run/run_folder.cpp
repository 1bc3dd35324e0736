#include "run/run_folder.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "dataset/shard_files.h"

namespace fs = std::filesystem;

namespace warpsynth {

RunFolder prepare_run_folder(const std::string& out_dir, const std::string& command,
                             const std::vector<int>& task_shards) {
  RunFolder folder;
  folder.dir = out_dir;
  folder.task = !task_shards.empty();
  fs::create_directories(out_dir);
  if (folder.task) {
    folder.log_path =
        (fs::temp_directory_path() / fmt::format("warpsynth-{}-task-{}-{}.log", command, task_shards.front(), ::getpid()))
            .string();
  } else {
    remove_stale_temporaries(out_dir);
    folder.log_path = (fs::path(out_dir) / "warpsynth.log").string();
    folder.manifest_path = (fs::path(out_dir) / "manifest.json").string();
  }
  return folder;
}

int workers_worth_starting(int jobs, std::uint64_t items, int batch) {
  const auto batches = static_cast<long long>((items + std::max(1, batch) - 1) / std::max(1, batch));
  return static_cast<int>(std::clamp<long long>(jobs, 1, std::max(1LL, batches)));
}

Manifest run_manifest(const RunFolder& folder, const std::string& command, const RunIdentity& identity,
                      const std::string& another) {
  if (!folder.task) return open_manifest(folder.manifest_path, command, identity, folder.dir, another);
  Manifest manifest;
  manifest.command = command;
  manifest.run = identity;
  return manifest;
}

void record_run(RunSummary& summary, const ShardedRunCounts& counts, const WorkerPool& pool,
                std::chrono::steady_clock::time_point started) {
  summary.resumed_shards = counts.resumed_shards;
  summary.processed_now = counts.processed_now;
  summary.worker_peak_rss_kb = pool.peak_rss_kb();
  summary.worker_restarts = pool.restarts();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace warpsynth

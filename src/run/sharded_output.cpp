#include "run/sharded_output.h"

#include <filesystem>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "util/progress.h"

namespace fs = std::filesystem;

namespace warpsynth {

Manifest open_manifest(const std::string& path, const std::string& command, const RunIdentity& identity,
                       const std::string& out_dir, const std::string& another) {
  if (auto existing = Manifest::load(path, command)) {
    auto diff = identity.differences(existing->run);
    if (!diff.empty()) {
      std::string text;
      for (const auto& d : diff) text += "\n  " + d;
      throw RunUsageError(out_dir + " holds " + another + ":" + text +
                               "\nre-run that command to resume it, or choose another --out");
    }
    return *existing;
  }
  Manifest manifest;
  manifest.command = command;
  manifest.run = identity;
  manifest.save(path);
  return manifest;
}

void drop_untrusted_shards(const ShardedOutput& out, Manifest& manifest, const std::string& manifest_path,
                           std::ostream& log) {
  // A shard the manifest lists is trusted only as it was committed: one whose file is gone, or
  // differs (truncated, edited, lines appended) is made again; so is one whose samples timed out
  // under a shorter timeout than this run's (the timeout is the run's, not the kernel's).
  for (auto it = manifest.shards.begin(); it != manifest.shards.end();) {
    const std::string name = shard_file_name(it->first, out.format);
    const ShardOutcome& done = it->second;
    if (!fs::exists(fs::path(out.dir) / name)) {  // gone: made again without a word, as before
      it = manifest.shards.erase(it);
      continue;
    }
    std::string why;
    if (!done.file_xxh3.empty()) {
      auto digest = digest_shard(out.dir, it->first, out.format);
      if (!digest)
        why = name + " cannot be read";
      else if (digest->bytes != done.file_bytes || digest->xxh3 != done.file_xxh3) {
        why = fmt::format("{} differs from the manifest ({} bytes, xxh3 {}; {} bytes, xxh3 {} when written)", name,
                          digest->bytes, digest->xxh3, done.file_bytes, done.file_xxh3);
      }
    }
    if (why.empty() && done.timeout_ms > 0 && out.timeout.count() > done.timeout_ms) {
      why = fmt::format("{} has samples that timed out at {:g} s; this run allows {:g} s", name,
                        done.timeout_ms / 1000.0, out.timeout.count() / 1000.0);
    }
    if (why.empty()) {
      ++it;
      continue;
    }
    log << "warpsynth: " << why << ": the shard is made again\n";
    it = manifest.shards.erase(it);
  }
  if (!manifest_path.empty()) manifest.save(manifest_path);
}

ShardedRunCounts run_sharded(const ShardedOutput& out, WorkerPool& pool, BatchJob& job, ResultQueue& results,
                             Manifest& manifest, const std::string& manifest_path, std::ostream& log) {
  drop_untrusted_shards(out, manifest, manifest_path, log);
  ShardedRunCounts counts;
  counts.resumed_shards = manifest.shards.size();

  std::vector<ShardRange> shards = plan_shards(out.count, out.shard_size);
  std::map<int, std::unique_ptr<ShardAssembler>> open_shards;  // opened at their first item
  std::uint64_t already_done = 0;
  BatchQueue queue(std::max<std::uint64_t>(1, out.batch));
  std::size_t wanted = 0;  // shards the manifest holds when the run is done
  for (const auto& shard : shards) {
    if (!out.only_shards.empty() && !out.only_shards.count(shard.id)) continue;
    ++wanted;
    if (manifest.shards.count(shard.id)) {
      already_done += shard.end - shard.begin;
      continue;
    }
    queue.add(shard.begin, shard.end);
  }
  const std::uint64_t total = out.only_shards.empty() ? out.count : already_done + queue.items();
  counts.processed_now = queue.empty() ? 0 : total - already_done;

  Progress progress(log, total, out.progress);
  pool.start(queue, job);

  std::uint64_t failed_before = 0;
  for (const auto& [id, s] : manifest.shards) failed_before += s.samples - s.records - s.duplicates;
  std::uint64_t finished = 0, failed = 0;
  try {
    while (manifest.shards.size() < wanted) {  // each complete shard is in the manifest
      results.wait_for_results(std::chrono::milliseconds(500));
      if (pool.failed()) break;
      // Records are written as they arrive (in index order within a shard) while the workers go on;
      // shards complete in any order, and each complete one is recorded in the manifest.
      for (auto& r : results.collect(finished, failed)) {
        const ShardRange& shard = shards[r.index / out.shard_size];
        auto& assembler = open_shards[shard.id];
        if (!assembler) assembler = std::make_unique<ShardAssembler>(out.dir, shard, out.format);
        assembler->add(std::move(r));
        if (!assembler->complete()) continue;
        ShardOutcome outcome = assembler->commit();
        if (outcome.failures_by_stage.count("timeout")) outcome.timeout_ms = out.timeout.count();
        manifest.shards[shard.id] = std::move(outcome);
        if (!manifest_path.empty()) manifest.save(manifest_path);
        open_shards.erase(shard.id);
      }
      progress.update(already_done + finished, failed_before + failed);
    }
  } catch (...) {
    // A shard or the manifest could not be written (a full disk): the workers stop before the job
    // they call goes; the shard being written is removed by its writer, the manifest keeps the
    // shards committed before, and the same command resumes from there.
    pool.stop();
    throw;
  }
  pool.wait();  // throws when a worker could not start
  pool.shutdown();
  results.collect(finished, failed);
  progress.finish(already_done + finished, failed_before + failed);
  return counts;
}

}  // namespace warpsynth

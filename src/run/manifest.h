// The manifest of a generate run (DIR/manifest.json): what the run is (so that a re-run of the
// same command resumes it, and another command is refused) and which shards are complete, with
// their counts. Rewritten atomically after each shard; nothing in it depends on timing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace warpsynth {

struct RunIdentity {
  std::uint64_t seed = 0;
  std::uint64_t count = 0;
  std::uint64_t shard_size = 0;
  std::string config_hash;
  std::string verify;  // codegen | compile
  std::string format;  // jsonl | jsonl.zst | json
  std::string warp_version;
  std::string warpsynth_version;
  int opt_level = -1;  // --opt-level for the builds of run and grad; -1: Warp's defaults (not written)

  nlohmann::ordered_json to_json() const;
  static RunIdentity from_json(const nlohmann::json& j);
  // Human-readable differences ("seed 1 here, 2 in the folder"); empty when the same run.
  std::vector<std::string> differences(const RunIdentity& other) const;
};

struct ShardFailure {
  std::uint64_t index;
  std::string template_name;
  std::string stage;
  std::string message;
};

// How the samples of a shard (or a run) fared at one verification level.
struct LevelCounts {
  std::uint64_t ok = 0, failed = 0, skipped = 0;
  std::map<std::string, std::uint64_t> reasons;  // of "failed" and "skipped", the launch size left out

  void add(const std::string& verdict);
  void merge(const LevelCounts& other);
  nlohmann::ordered_json to_json() const;
  static LevelCounts from_json(const nlohmann::json& j);
};

// Whether a verdict at a level leaves the sample out of the dataset: "failed: ..." at a level that
// builds or runs the kernel. "skipped: ..." (the check cannot be made for this kernel) keeps it.
bool verdict_drops_sample(const std::string& level, const std::string& verdict);

struct ShardOutcome {
  std::uint64_t samples = 0;
  std::uint64_t records = 0;
  std::uint64_t duplicates = 0;
  std::map<std::string, std::uint64_t> failures_by_stage;
  std::vector<ShardFailure> failures;
  std::map<std::string, LevelCounts> verify;  // per verification level
  // The shard file as committed: a resumed run remakes a shard whose file differs (truncated, or
  // with lines added by hand: issue 13). Empty in manifests written before it was recorded.
  std::uint64_t file_bytes = 0;
  std::string file_xxh3;
  // The batch timeout of the run that made the shard, where some of its samples timed out: a run
  // with a longer one makes the shard again (a timeout is the run's setting, not the kernel's).
  std::int64_t timeout_ms = 0;

  nlohmann::ordered_json to_json() const;
  static ShardOutcome from_json(const nlohmann::json& j);
};

struct Manifest {
  std::string command = "generate";  // the command whose run the folder holds: generate | verify
  RunIdentity run;
  std::map<int, ShardOutcome> shards;  // complete shards only

  nlohmann::ordered_json to_json() const;
  // nullopt when there is no manifest; throws std::runtime_error on an unreadable one, or one of
  // another command's run.
  static std::optional<Manifest> load(const std::string& path, const std::string& command = "generate");
  // The manifest that `text` holds; throws std::runtime_error saying what is wrong with it.
  static Manifest parse(const std::string& text, const std::string& command = "generate");
  // The manifest of a run of any command at `path`; nullopt when there is none or it cannot be read.
  static std::optional<Manifest> read_any(const std::string& path);
  void save(const std::string& path) const;
};

}  // namespace warpsynth

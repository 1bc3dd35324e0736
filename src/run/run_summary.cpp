#include "run/run_summary.h"

#include <fmt/format.h>

#include "dataset/verdict.h"
#include "run/verify_level.h"

namespace warpsynth {

std::uint64_t RunSummary::records() const {
  std::uint64_t n = 0;
  for (const auto& [id, s] : manifest.shards) n += s.records;
  return n;
}

std::uint64_t RunSummary::duplicates() const {
  std::uint64_t n = 0;
  for (const auto& [id, s] : manifest.shards) n += s.duplicates;
  return n;
}

std::uint64_t RunSummary::passed() const { return records() + duplicates(); }

std::map<std::string, std::uint64_t> RunSummary::failures_by_stage() const {
  std::map<std::string, std::uint64_t> counts;
  for (const auto& [id, s] : manifest.shards) {
    for (const auto& [stage, n] : s.failures_by_stage) counts[stage] += n;
  }
  return counts;
}

std::map<std::string, LevelCounts> RunSummary::verify_levels() const {
  std::map<std::string, LevelCounts> levels;
  for (const auto& [id, s] : manifest.shards) {
    for (const auto& [level, counts] : s.verify) levels[level].merge(counts);
  }
  return levels;
}

std::vector<ShardFailure> RunSummary::failures() const {
  std::vector<ShardFailure> all;
  for (const auto& [id, s] : manifest.shards) all.insert(all.end(), s.failures.begin(), s.failures.end());
  return all;
}

nlohmann::ordered_json RunSummary::to_json() const {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& f : failures()) {
    list.push_back({{"index", f.index}, {"template", f.template_name}, {"stage", f.stage}, {"message", f.message}});
  }
  return {{"command", manifest.command},
          {"requested", requested()},
          {"passed", passed()},
          {"verify", manifest.run.verify},
          {"duplicates_dropped", duplicates()},
          {"records", records()},
          {"shards", manifest.shards.size()},
          {"config_hash", manifest.run.config_hash},
          {"failures_by_stage", failures_by_stage()},
          {"verify_levels", [&] {
             nlohmann::ordered_json levels = nlohmann::ordered_json::object();
             for (const auto& [level, counts] : verify_levels()) levels[level] = counts.to_json();
             return levels;
           }()},
          {"failures", list}};
}

nlohmann::ordered_json with_cluster(nlohmann::ordered_json summary, const nlohmann::ordered_json& cluster) {
  if (!cluster.is_null()) summary["cluster"] = cluster;
  return summary;
}

void RunSummary::print(std::ostream& out) const {
  double rate = seconds > 0 ? processed_now / seconds : 0.0;
  out << fmt::format("{} {} in {} shards ({} resumed); {} processed now in {:.1f} s ({:.1f} kernels/s)\n",
                     done, requested(), manifest.shards.size(), resumed_shards, processed_now, seconds, rate);
  const char* level = "codegen (CPU and CUDA, forward and backward)";
  switch (parse_verify_level(manifest.run.verify).value_or(VerifyLevel::kCodegen)) {
    case VerifyLevel::kGrad:
      level = "codegen, CUDA PTX, a CPU run on seeded inputs and its gradient check";
      break;
    case VerifyLevel::kRun:
      level = "codegen, CUDA PTX, and a CPU build run on seeded inputs";
      break;
    case VerifyLevel::kCompile:
      level = "codegen, CPU object and CUDA PTX";
      break;
    case VerifyLevel::kCodegen:
      break;
  }
  out << fmt::format("passed {}: {} of {} ({:.2f}%)\n", level, passed(), requested(),
                     requested() ? 100.0 * passed() / requested() : 100.0);
  out << fmt::format("{} duplicates dropped, {} records written\n", duplicates(), records());
  for (const auto& [level, c] : verify_levels()) {
    if (level == "codegen" && c.failed == 0 && c.skipped == 0) continue;  // said above
    out << fmt::format("  {:<12} ok {}, failed {}, skipped {}\n", level, c.ok, c.failed, c.skipped);
    for (const auto& [reason, n] : c.reasons) {
      if (Verdict::parse(reason).is_skipped()) out << fmt::format("    {} x {}\n", n, reason.substr(0, 120));
    }
  }
  if (worker_peak_rss_kb > 0) {
    out << fmt::format("worker peak memory {:.1f} MiB; {} worker restarts\n", worker_peak_rss_kb / 1024.0, worker_restarts);
  }
  print_failures(out);
  if (!cluster.is_null()) {
    out << fmt::format("cluster: {} nodes, {} tasks, {} retried\n", cluster["nodes"].dump(), cluster["tasks"].dump(),
                       cluster["retries"].dump());
  }
}

void RunSummary::print_failures(std::ostream& out) const {
  auto all = failures();
  if (all.empty()) return;
  out << fmt::format("failures: {}\n", all.size());
  for (const auto& [stage, n] : failures_by_stage()) out << fmt::format("  {:<12} {}\n", stage, n);
  size_t shown = 0;
  for (const auto& f : all) {
    if (++shown > 10) {
      out << fmt::format("  ... {} more in summary.json\n", all.size() - 10);
      break;
    }
    out << fmt::format("  sample {} ({}): {}: {}\n", f.index, f.template_name, f.stage,
                       f.message.substr(0, f.message.find('\n')));
  }
}

}  // namespace warpsynth

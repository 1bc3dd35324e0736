#include "dataset_build/dataset_build.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dataset/preambles.h"
#include "dataset_build/dataset_inputs.h"
#include "dataset_build/dataset_layout.h"
#include "dataset_build/record_spool.h"
#include "dataset_build/selection.h"
#include "dedup/near_dedup.h"
#include "dedup/shingles.h"
#include "driver/python_module.h"
#include "util/atomic_file.h"
#include "util/json_reader.h"
#include "stats/dataset_stats.h"
#include "util/temp_dir.h"

namespace fs = std::filesystem;

namespace warpsynth {
namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// One line about an input folder for the card: the command that wrote it and its settings.
std::string describe_input(const std::string& dir) {
  nlohmann::json manifest = nlohmann::json::parse(read_text(fs::path(dir) / "manifest.json"), nullptr, false);
  if (manifest.is_object() && manifest.contains("run") && manifest["run"].is_object()) {
    const auto& run = manifest["run"];
    return fmt::format("`{}`: `warpsynth {}` of {} kernels, seed {}, verify {}, config {}",
                       fs::path(dir).filename().string(), manifest.value("command", std::string("generate")),
                       run.value("count", nlohmann::json(0)).dump(), run.value("seed", nlohmann::json(0)).dump(),
                       run.value("verify", std::string("?")), run.value("config_hash", std::string("?")));
  }
  nlohmann::json summary = nlohmann::json::parse(read_text(fs::path(dir) / "summary.json"), nullptr, false);
  if (summary.is_object()) {
    return fmt::format("`{}`: `warpsynth {}`", fs::path(dir).filename().string(),
                       summary.value("command", std::string("extract")));
  }
  return fmt::format("`{}`", fs::path(dir).filename().string());
}

}  // namespace

DatasetCounts build_dataset(const DatasetOptions& options, std::ostream& log) {
  DatasetCounts counts;
  // 1. Everything read and checked before anything is written.
  // The records' lines wait on disk (the spool) until they are written; the written ones are also
  // gathered there as a dataset folder, for the figures of `warpsynth stats` in the card.
  TempDir work_dir("warpsynth-dataset-");
  RecordSpool spool(work_dir.path() / "records.spool");
  std::vector<InputRecord> records = read_dataset_folders(options.inputs, "input", &spool);
  std::vector<InputRecord> holdout = read_dataset_folders(options.holdouts, "holdout", nullptr);
  counts.read = records.size();
  if (options.progress) log << "read " << records.size() << " records from " << options.inputs.size() << " folder(s)\n";

  // 2. Exact dedup across every input.
  std::vector<std::size_t> kept = exact_dedup(records);
  counts.exact_duplicates = records.size() - kept.size();

  dedup::NearDedupOptions near;
  near.permutations = options.permutations;
  near.ngram = options.ngram;
  near.threshold = options.near_threshold;

  // 3. Decontamination: equal to, or near, a holdout record.
  if (!holdout.empty()) {
    std::set<std::string> holdout_ids;
    std::vector<std::string_view> holdout_texts;
    for (const auto& r : holdout) holdout_ids.insert(r.id), holdout_texts.push_back(r.python);
    std::vector<std::string_view> texts;
    for (std::size_t i : kept) texts.push_back(records[i].python);
    std::vector<bool> near_holdout =
        dedup::near_any(dedup::shingle_sets(texts, near.ngram), dedup::shingle_sets(holdout_texts, near.ngram), near);
    std::vector<std::size_t> clean;
    for (std::size_t k = 0; k < kept.size(); ++k) {
      if (near_holdout[k] || holdout_ids.count(records[kept[k]].id)) continue;
      clean.push_back(kept[k]);
    }
    counts.contaminated = kept.size() - clean.size();
    kept = std::move(clean);
  }

  // 4. Near-dedup: clusters over the records left (indices in id order, so a cluster's root, its
  // smallest index, is its smallest id).
  std::vector<std::string_view> texts;
  for (std::size_t i : kept) texts.push_back(records[i].python);
  const auto near_started = std::chrono::steady_clock::now();
  const std::vector<std::vector<std::uint64_t>> shingles = dedup::shingle_sets(texts, near.ngram);
  dedup::NearDedupResult clusters = dedup::near_duplicates(shingles, near);
  const double near_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - near_started).count();
  // bench/dedup.py reads this line: the near-dedup alone (shingles, MinHash, LSH, confirmation, clusters), one thread.
  if (options.progress) {
    log << fmt::format("near-dedup: {} records in {:.3f} s ({:.0f} records/s; MinHash {} permutations, {} bands x {} rows)\n",
                       kept.size(), near_seconds, near_seconds > 0 ? kept.size() / near_seconds : 0.0, near.permutations,
                       clusters.bands.bands, clusters.bands.rows);
  }
  if (!options.pairs_path.empty()) {
    AtomicFile pairs(options.pairs_path);
    for (const auto& [i, j] : clusters.pairs) {
      nlohmann::ordered_json pair{{"a", records[kept[i]].id}, {"b", records[kept[j]].id},
                                  {"jaccard", dedup::jaccard(shingles[i], shingles[j])}};
      pairs.stream() << pair.dump() << "\n";
    }
    pairs.commit();
  }
  counts.lsh_candidates = clusters.candidates;
  counts.near_pairs = clusters.pairs.size();
  std::map<std::uint32_t, std::vector<std::uint32_t>> members;
  for (std::uint32_t k = 0; k < kept.size(); ++k) members[clusters.cluster[k]].push_back(k);
  counts.clusters = members.size();

  // 5. Split groups: a near cluster, the kernels of one source file (extracted), and with
  // --split-by template the kernels of one template, all go to one split.
  dedup::UnionFind groups(kept.size());
  for (const auto& [i, j] : clusters.pairs) groups.join(i, j);
  std::map<std::string, std::uint32_t> first_of_key;
  for (std::uint32_t k = 0; k < kept.size(); ++k) {
    const InputRecord& r = records[kept[k]];
    std::vector<std::string> keys;
    if (!r.source_key.empty()) keys.push_back("file:" + r.source_key);
    if (options.split_by == "template" && !r.template_name.empty()) keys.push_back("template:" + r.template_name);
    for (const auto& key : keys) {
      auto [it, inserted] = first_of_key.emplace(key, k);
      if (!inserted) groups.join(it->second, k);
    }
  }

  // 6. The records written: every one with --keep-near, else one per cluster (the most verified,
  // then the smallest id), each with its split.
  std::vector<std::vector<std::uint32_t>> by_split(options.split_names.size());
  for (const auto& [root, list] : members) {
    std::vector<std::uint32_t> chosen = list;
    if (!options.keep_near && list.size() > 1) {
      chosen = {cluster_representative(list, kept, records)};
      counts.near_duplicates += list.size() - 1;
    }
    for (std::uint32_t k : chosen) {
      const std::string& group_key = records[kept[groups.find(k)]].id;
      by_split[split_of(group_key, options.split_fractions)].push_back(k);
    }
  }

  // 7. Rows, written into a folder next to the output, which replaces it whole at the end.
  fs::path out(options.out_dir);
  fs::path staging = out.string() + ".tmp-dataset";
  fs::remove_all(staging);
  fs::create_directories(staging / "data");
  // Nothing half-written: on any failure from here the staging folder goes, the output stays as it was.
  struct RemoveUnlessDone {
    fs::path path;
    bool done = false;
    ~RemoveUnlessDone() {
      std::error_code ec;
      if (!done) fs::remove_all(path, ec);
    }
  } cleanup{staging};
  CardFacts facts;
  facts.format = options.format;
  facts.split_order = options.split_names;
  std::vector<std::string> python_args;
  {
    AtomicFile columns((staging / "columns.json").string());
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : dataset_columns()) list.push_back({{"name", c.name}, {"dtype", c.dtype}});
    columns.stream() << list.dump() << "\n";
    columns.commit();
  }
  python_args.push_back((staging / "columns.json").string());
  std::set<std::string> warp_versions;
  const fs::path stats_dir = work_dir.path() / "written";
  fs::create_directories(stats_dir);
  std::ofstream stats_records(stats_dir / "kernels.jsonl", std::ios::binary);
  for (std::size_t s = 0; s < by_split.size(); ++s) {
    auto& list = by_split[s];
    std::sort(list.begin(), list.end());  // id order
    if (list.empty()) continue;
    const std::string& split = options.split_names[s];
    const std::uint64_t files = (list.size() + options.rows_per_file - 1) / options.rows_per_file;
    facts.split_rows[split] = list.size();
    facts.split_files[split] = files;
    for (std::uint64_t f = 0; f < files; ++f) {
      std::string name = fmt::format("{}-{:05d}-of-{:05d}", split, f, files);
      fs::path rows_path = staging / "data" / (name + ".jsonl");
      {
        std::ofstream rows(rows_path, std::ios::binary);
        for (std::uint64_t r = f * options.rows_per_file; r < std::min<std::uint64_t>(list.size(), (f + 1) * options.rows_per_file); ++r) {
          const std::uint32_t k = list[r];
          const InputRecord& record = records[kept[k]];
          const std::string line = spool.read(record.line);
          stats_records << line << "\n";
          nlohmann::json parsed = *read_json(line);
          if (parsed.contains("meta") && parsed["meta"].contains("warp_version") && parsed["meta"]["warp_version"].is_string()) {
            warp_versions.insert(parsed["meta"]["warp_version"].get<std::string>());
          }
          const std::uint32_t root = clusters.cluster[k];
          rows << dataset_row(parsed, records[kept[root]].id, members[root].size()).dump() << "\n";
          if (record.origin == "extracted") {
            const nlohmann::json* package = &parsed["meta"];
            for (const char* key : {"source", "package"}) {
              package = package->is_object() && package->contains(key) ? &(*package)[key] : nullptr;
              if (!package) break;
            }
            auto field = [&](const char* key, const char* otherwise) {
              return package && package->is_object() && package->contains(key) && (*package)[key].is_string()
                         ? (*package)[key].get<std::string>()
                         : std::string(otherwise);
            };
            facts.licenses["extracted: " + field("distribution", "files of no installed distribution")] =
                field("license", "unknown: the license of the code extracted");
          } else {
            facts.licenses[record.origin] = "generated by warpsynth from a seed: no upstream license";
          }
        }
        if (!rows) throw std::runtime_error("cannot write " + rows_path.string());
      }
      if (options.format == "parquet") {
        python_args.push_back(rows_path.string());
        python_args.push_back((staging / "data" / (name + ".parquet")).string());
      }
    }
    counts.written += list.size();
  }
  if (options.format == "parquet") {
    if (options.progress) log << "writing Parquet (pyarrow)\n";
    if (python_args.size() > 1) run_python_module("warpsynth_dataset.write_parquet", python_args);
    for (const auto& entry : fs::directory_iterator(staging / "data")) {
      if (entry.path().extension() == ".jsonl") fs::remove(entry.path());
    }
  }
  fs::remove(staging / "columns.json");

  // 8. Preambles of every input, the card and the summary.
  for (const auto& dir : options.inputs) {
    fs::path preambles = fs::path(dir) / kPreambleDirName;
    if (!fs::is_directory(preambles)) continue;
    fs::create_directories(staging / kPreambleDirName);
    for (const auto& entry : fs::directory_iterator(preambles)) {
      fs::path target = staging / kPreambleDirName / entry.path().filename();
      if (!fs::exists(target)) fs::copy_file(entry.path(), target);
    }
  }
  for (const auto& dir : options.inputs) facts.how_made.push_back(describe_input(dir));
  for (const auto& dir : options.holdouts) facts.how_made.push_back("holdout " + describe_input(dir) + " (decontamination)");
  for (const auto& v : warp_versions) facts.versions.push_back("warp-lang " + v);
  facts.versions.push_back(std::string("warpsynth ") + WARPSYNTH_VERSION);
  facts.removed = {{"read from the inputs", counts.read},
                   {"removed: exact duplicates (same normalized Python)", counts.exact_duplicates},
                   {fmt::format("removed: equal or near a holdout record (Jaccard >= {})", options.near_threshold),
                    counts.contaminated},
                   {fmt::format("removed: near-duplicates (Jaccard >= {} of token {}-grams; one kept per cluster)",
                                options.near_threshold, options.ngram),
                    counts.near_duplicates},
                   {"written", counts.written}};
  stats_records.close();
  const DatasetStats stats = DatasetStats::of_folder(stats_dir.string());
  for (const auto& [origin, n] : stats.origins) facts.figures.emplace_back("records, " + origin, std::to_string(n));
  facts.figures.emplace_back("generator templates", std::to_string(stats.templates.size()));
  facts.figures.emplace_back("distinct builtins called", std::to_string(stats.builtins.size()));
  facts.figures.emplace_back("distinct types used", std::to_string(stats.types.size()));
  for (const auto& [what, mean] : stats.mean_lines) facts.figures.emplace_back("mean lines, " + what, fmt::format("{:.1f}", mean));
  for (const auto& [level, outcomes] : stats.verify) {
    std::string text;
    for (const auto& [outcome, n] : outcomes) text += (text.empty() ? "" : ", ") + fmt::format("{} {}", outcome, n);
    facts.figures.emplace_back("verify " + level, text);
  }
  std::vector<std::pair<std::string, std::string>> dedup_figures = {{"near-duplicate clusters", std::to_string(counts.clusters)},
                   {"LSH bands x rows", fmt::format("{} x {}", clusters.bands.bands, clusters.bands.rows)},
                   {"LSH candidate pairs", std::to_string(counts.lsh_candidates)},
                   {"confirmed near-duplicate pairs", std::to_string(counts.near_pairs)}};
  facts.figures.insert(facts.figures.end(), dedup_figures.begin(), dedup_figures.end());
  std::string command = "warpsynth dataset";
  for (const auto& d : options.inputs) command += " " + fs::path(d).filename().string();
  for (const auto& d : options.holdouts) command += " --holdout " + fs::path(d).filename().string();
  command += " --split ";
  for (std::size_t s = 0; s < options.split_fractions.size(); ++s) command += (s ? "," : "") + fmt::format("{}", options.split_fractions[s]);
  command += fmt::format(" --split-by {} --near {}", options.split_by, options.near_threshold);
  if (options.keep_near) command += " --keep-near";
  if (options.format != "parquet") command += " --format " + options.format;
  facts.command = command;
  {
    AtomicFile card((staging / "README.md").string());
    card.stream() << dataset_card(facts);
    card.commit();
  }
  {
    nlohmann::ordered_json summary;
    summary["command"] = "dataset";
    summary["records"] = {{"read", counts.read},
                          {"exact_duplicates", counts.exact_duplicates},
                          {"contaminated", counts.contaminated},
                          {"near_duplicates", counts.near_duplicates},
                          {"written", counts.written}};
    summary["near_dedup"] = {{"threshold", options.near_threshold}, {"permutations", options.permutations},
                             {"ngram", options.ngram}, {"bands", clusters.bands.bands}, {"rows", clusters.bands.rows},
                             {"candidates", counts.lsh_candidates}, {"pairs", counts.near_pairs},
                             {"clusters", counts.clusters}};
    nlohmann::ordered_json splits = nlohmann::ordered_json::object();
    for (const auto& split : options.split_names) splits[split] = facts.split_rows.count(split) ? facts.split_rows[split] : 0;
    summary["splits"] = splits;
    summary["split_by"] = options.split_by;
    summary["format"] = options.format;
    AtomicFile file((staging / "summary.json").string());
    file.stream() << summary.dump(1) << "\n";
    file.commit();
  }

  // 9. The new dataset replaces the folder (a previous dataset there, or nothing).
  fs::path old = out.string() + ".old-dataset";
  fs::remove_all(old);
  if (fs::exists(out)) fs::rename(out, old);
  fs::rename(staging, out);
  cleanup.done = true;
  fs::remove_all(old);
  return counts;
}

}  // namespace warpsynth

#include "dataset_build/dataset_build.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dataset/preambles.h"
#include "dataset/record.h"
#include "dataset_build/dataset_inputs.h"
#include "dataset_build/dataset_layout.h"
#include "dataset_build/record_spool.h"
#include "dataset_build/selection.h"
#include "dedup/near_dedup.h"
#include "dedup/shingles.h"
#include "driver/python_module.h"
#include "run/manifest.h"
#include "util/atomic_file.h"
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
  if (std::optional<Manifest> manifest = Manifest::read_any((fs::path(dir) / "manifest.json").string())) {
    const RunIdentity& run = manifest->run;
    return fmt::format("`{}`: `warpsynth {}` of {} kernels, seed {}, verify {}, config {}",
                       fs::path(dir).filename().string(), manifest->command, run.count, run.seed, run.verify,
                       run.config_hash);
  }
  // A folder of `extract`, which has a summary and no manifest.
  nlohmann::json summary = nlohmann::json::parse(read_text(fs::path(dir) / "summary.json"), nullptr, false);
  if (summary.is_object()) {
    return fmt::format("`{}`: `warpsynth {}`", fs::path(dir).filename().string(),
                       summary.value("command", std::string("extract")));
  }
  return fmt::format("`{}`", fs::path(dir).filename().string());
}

// What the steps of a build share: every input record, those kept so far, their near-duplicate
// clusters and the split of each record written.
struct Selection {
  std::vector<InputRecord> records;
  std::vector<std::size_t> kept;  // indices into records, in id order
  dedup::NearDedupResult clusters;  // over `kept`: a cluster is named by its smallest index, its smallest id
  std::vector<std::vector<std::uint64_t>> shingles;  // of `kept`
  std::map<std::uint32_t, std::vector<std::uint32_t>> members;  // cluster root -> its members (indices into kept)
  std::vector<std::vector<std::uint32_t>> by_split;  // per split, the members of kept written there
};

dedup::NearDedupOptions near_options(const DatasetOptions& options) {
  dedup::NearDedupOptions near;
  near.permutations = options.permutations;
  near.ngram = options.ngram;
  near.threshold = options.near_threshold;
  return near;
}

std::vector<std::string_view> kept_texts(const Selection& s) {
  std::vector<std::string_view> texts;
  for (std::size_t i : s.kept) texts.push_back(s.records[i].python);
  return texts;
}

// Step 3. Decontamination: a record equal to, or near, a holdout record goes.
void remove_contaminated(Selection& s, const std::vector<InputRecord>& holdout, const dedup::NearDedupOptions& near,
                         DatasetCounts& counts) {
  if (holdout.empty()) return;
  std::set<std::string> holdout_ids;
  std::vector<std::string_view> holdout_texts;
  for (const auto& r : holdout) holdout_ids.insert(r.id), holdout_texts.push_back(r.python);
  std::vector<bool> near_holdout =
      dedup::near_any(dedup::shingle_sets(kept_texts(s), near.ngram), dedup::shingle_sets(holdout_texts, near.ngram), near);
  std::vector<std::size_t> clean;
  for (std::size_t k = 0; k < s.kept.size(); ++k) {
    if (near_holdout[k] || holdout_ids.count(s.records[s.kept[k]].id)) continue;
    clean.push_back(s.kept[k]);
  }
  counts.contaminated = s.kept.size() - clean.size();
  s.kept = std::move(clean);
}

// Step 4. Near-dedup: clusters over the records left.
void cluster_near_duplicates(Selection& s, const DatasetOptions& options, const dedup::NearDedupOptions& near,
                             DatasetCounts& counts, std::ostream& log) {
  const auto started = std::chrono::steady_clock::now();
  s.shingles = dedup::shingle_sets(kept_texts(s), near.ngram);
  s.clusters = dedup::near_duplicates(s.shingles, near);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // bench/dedup.py reads this line: the near-dedup alone (shingles, MinHash, LSH, confirmation, clusters), one thread.
  if (options.progress) {
    log << fmt::format("near-dedup: {} records in {:.3f} s ({:.0f} records/s; MinHash {} permutations, {} bands x {} rows)\n",
                       s.kept.size(), seconds, seconds > 0 ? s.kept.size() / seconds : 0.0, near.permutations,
                       s.clusters.bands.bands, s.clusters.bands.rows);
  }
  counts.lsh_candidates = s.clusters.candidates;
  counts.near_pairs = s.clusters.pairs.size();
  for (std::uint32_t k = 0; k < s.kept.size(); ++k) s.members[s.clusters.cluster[k]].push_back(k);
  counts.clusters = s.members.size();
}

// --pairs FILE: every confirmed near-duplicate pair, with its Jaccard.
void write_pairs(const Selection& s, const std::string& path) {
  AtomicFile pairs(path);
  for (const auto& [i, j] : s.clusters.pairs) {
    nlohmann::ordered_json pair{{"a", s.records[s.kept[i]].id}, {"b", s.records[s.kept[j]].id},
                                {"jaccard", dedup::jaccard(s.shingles[i], s.shingles[j])}};
    pairs.stream() << pair.dump() << "\n";
  }
  pairs.commit();
}

// Step 5. Split groups: a near cluster, the kernels of one source file (extracted), and with
// --split-by template the kernels of one template, all go to one split.
dedup::UnionFind split_groups(const Selection& s, const DatasetOptions& options) {
  dedup::UnionFind groups(s.kept.size());
  for (const auto& [i, j] : s.clusters.pairs) groups.join(i, j);
  std::map<std::string, std::uint32_t> first_of_key;
  for (std::uint32_t k = 0; k < s.kept.size(); ++k) {
    const InputRecord& r = s.records[s.kept[k]];
    std::vector<std::string> keys;
    if (!r.source_key.empty()) keys.push_back("file:" + r.source_key);
    if (options.split_by == SplitPolicy::kTemplate && !r.template_name.empty()) keys.push_back("template:" + r.template_name);
    for (const auto& key : keys) {
      auto [it, inserted] = first_of_key.emplace(key, k);
      if (!inserted) groups.join(it->second, k);
    }
  }
  return groups;
}

// Step 6. The records written: every one with --keep-near, else one per cluster (the most
// verified, then the smallest id), each with the split of its group, in id order.
void choose_and_split(Selection& s, const DatasetOptions& options, DatasetCounts& counts) {
  dedup::UnionFind groups = split_groups(s, options);
  s.by_split.assign(options.split_names.size(), {});
  for (const auto& [root, list] : s.members) {
    std::vector<std::uint32_t> chosen = list;
    if (!options.keep_near && list.size() > 1) {
      chosen = {cluster_representative(list, s.kept, s.records)};
      counts.near_duplicates += list.size() - 1;
    }
    for (std::uint32_t k : chosen) {
      const std::string& group_key = s.records[s.kept[groups.find(k)]].id;
      s.by_split[split_of(group_key, options.split_fractions)].push_back(k);
    }
  }
  for (auto& list : s.by_split) std::sort(list.begin(), list.end());
}

// The rows' files of one format. Rows are written as JSON lines; a format other than JSON lines
// converts them when all are written.
class RowFiles {
 public:
  virtual ~RowFiles() = default;
  // The rows of `stem` have been written to `jsonl`.
  virtual void written(const fs::path& jsonl, const std::string& stem) = 0;
  virtual void finish(const fs::path& data_dir, bool progress, std::ostream& log) = 0;
};

class JsonlRowFiles : public RowFiles {
 public:
  void written(const fs::path&, const std::string&) override {}
  void finish(const fs::path&, bool, std::ostream&) override {}
};

// Parquet through pyarrow (Arrow C++ is not in Debian): warpsynth_dataset.write_parquet converts
// each JSON-lines file with the columns of dataset_columns().
class ParquetRowFiles : public RowFiles {
 public:
  explicit ParquetRowFiles(const fs::path& staging) : columns_path_(staging / "columns.json") {
    AtomicFile columns(columns_path_.string());
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : dataset_columns()) list.push_back({{"name", c.name}, {"dtype", c.dtype}});
    columns.stream() << list.dump() << "\n";
    columns.commit();
    args_.push_back(columns_path_.string());
  }
  void written(const fs::path& jsonl, const std::string& stem) override {
    args_.push_back(jsonl.string());
    args_.push_back((jsonl.parent_path() / (stem + ".parquet")).string());
  }
  void finish(const fs::path& data_dir, bool progress, std::ostream& log) override {
    if (progress) log << "writing Parquet (pyarrow)\n";
    if (args_.size() > 1) run_python_module("warpsynth_dataset.write_parquet", args_);
    for (const auto& entry : fs::directory_iterator(data_dir)) {
      if (entry.path().extension() == ".jsonl") fs::remove(entry.path());
    }
    fs::remove(columns_path_);
  }

 private:
  fs::path columns_path_;
  std::vector<std::string> args_;
};

std::unique_ptr<RowFiles> row_files_for(DatasetFormat format, const fs::path& staging) {
  if (format == DatasetFormat::kParquet) return std::make_unique<ParquetRowFiles>(staging);
  return std::make_unique<JsonlRowFiles>();
}

// Step 7. The rows of each split into data/ under `staging`, `rows_per_file` a file; each record
// written also goes to `written` (a dataset folder for the card's figures).
void write_rows(const Selection& s, const DatasetOptions& options, RecordSpool& spool, const fs::path& staging,
                std::ostream& written, CardFacts& facts, std::set<std::string>& warp_versions, DatasetCounts& counts,
                std::ostream& log) {
  std::unique_ptr<RowFiles> files_of_format = row_files_for(options.format, staging);
  for (std::size_t split_index = 0; split_index < s.by_split.size(); ++split_index) {
    const auto& list = s.by_split[split_index];
    if (list.empty()) continue;
    const std::string& split = options.split_names[split_index];
    const std::uint64_t files = (list.size() + options.rows_per_file - 1) / options.rows_per_file;
    facts.split_rows[split] = list.size();
    facts.split_files[split] = files;
    for (std::uint64_t f = 0; f < files; ++f) {
      std::string name = fmt::format("{}-{:05d}-of-{:05d}", split, f, files);
      fs::path rows_path = staging / "data" / (name + ".jsonl");
      std::ofstream rows(rows_path, std::ios::binary);
      for (std::uint64_t r = f * options.rows_per_file; r < std::min<std::uint64_t>(list.size(), (f + 1) * options.rows_per_file); ++r) {
        const std::uint32_t k = list[r];
        const InputRecord& record = s.records[s.kept[k]];
        const std::string line = spool.read(record.line);
        written << line << "\n";
        const Record parsed = Record::parse(line);  // read when spooled: a record
        warp_versions.insert(parsed.meta.warp_version);
        const std::uint32_t root = s.clusters.cluster[k];
        rows << dataset_row(parsed, s.records[s.kept[root]].id, s.members.at(root).size()).dump() << "\n";
        facts.licenses[parsed.license_key()] = parsed.license_text();
      }
      rows.close();
      if (!rows) throw std::runtime_error("cannot write " + rows_path.string());
      files_of_format->written(rows_path, name);
    }
    counts.written += list.size();
  }
  files_of_format->finish(staging / "data", options.progress, log);
}

// Step 8a. The preambles of every input (records name theirs; the dataset carries them).
void copy_preambles(const DatasetOptions& options, const fs::path& staging) {
  for (const auto& dir : options.inputs) {
    fs::path preambles = fs::path(dir) / kPreambleDirName;
    if (!fs::is_directory(preambles)) continue;
    fs::create_directories(staging / kPreambleDirName);
    for (const auto& entry : fs::directory_iterator(preambles)) {
      fs::path target = staging / kPreambleDirName / entry.path().filename();
      if (!fs::exists(target)) fs::copy_file(entry.path(), target);
    }
  }
}

// The command line that makes this dataset again, for the card.
std::string command_line(const DatasetOptions& options) {
  std::string command = "warpsynth dataset";
  for (const auto& d : options.inputs) command += " " + fs::path(d).filename().string();
  for (const auto& d : options.holdouts) command += " --holdout " + fs::path(d).filename().string();
  command += " --split ";
  for (std::size_t s = 0; s < options.split_fractions.size(); ++s) command += (s ? "," : "") + fmt::format("{}", options.split_fractions[s]);
  command += fmt::format(" --split-by {} --near {}", split_policy_name(options.split_by), options.near_threshold);
  if (options.keep_near) command += " --keep-near";
  if (options.format != DatasetFormat::kParquet) command += std::string(" --format ") + dataset_format_name(options.format);
  return command;
}

// Step 8b. The card's facts beyond the rows: how the inputs were made, versions, what each step
// removed, and the figures of the records written (`written_dir`) and of the dedup.
void add_card_figures(CardFacts& facts, const DatasetOptions& options, const std::set<std::string>& warp_versions,
                      const DatasetCounts& counts, const dedup::LshBands& bands, const std::string& written_dir) {
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
  const DatasetStats stats = DatasetStats::of_folder(written_dir);
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
  facts.figures.emplace_back("near-duplicate clusters", std::to_string(counts.clusters));
  facts.figures.emplace_back("LSH bands x rows", fmt::format("{} x {}", bands.bands, bands.rows));
  facts.figures.emplace_back("LSH candidate pairs", std::to_string(counts.lsh_candidates));
  facts.figures.emplace_back("confirmed near-duplicate pairs", std::to_string(counts.near_pairs));
  facts.command = command_line(options);
}

// Step 8c. summary.json: the counts of each step, the dedup's settings and figures, the splits.
void write_summary(const fs::path& path, const DatasetOptions& options, const DatasetCounts& counts,
                   const dedup::LshBands& bands, const CardFacts& facts) {
  nlohmann::ordered_json summary;
  summary["command"] = "dataset";
  summary["records"] = {{"read", counts.read},
                        {"exact_duplicates", counts.exact_duplicates},
                        {"contaminated", counts.contaminated},
                        {"near_duplicates", counts.near_duplicates},
                        {"written", counts.written}};
  summary["near_dedup"] = {{"threshold", options.near_threshold}, {"permutations", options.permutations},
                           {"ngram", options.ngram}, {"bands", bands.bands}, {"rows", bands.rows},
                           {"candidates", counts.lsh_candidates}, {"pairs", counts.near_pairs},
                           {"clusters", counts.clusters}};
  nlohmann::ordered_json splits = nlohmann::ordered_json::object();
  for (const auto& split : options.split_names) splits[split] = facts.split_rows.count(split) ? facts.split_rows.at(split) : 0;
  summary["splits"] = splits;
  summary["split_by"] = split_policy_name(options.split_by);
  summary["format"] = dataset_format_name(options.format);
  AtomicFile file(path.string());
  file.stream() << summary.dump(1) << "\n";
  file.commit();
}

// Step 9. The new dataset replaces the folder (a previous dataset there, or nothing).
void replace_folder(const fs::path& out, const fs::path& staging) {
  fs::path old = out.string() + ".old-dataset";
  fs::remove_all(old);
  if (fs::exists(out)) fs::rename(out, old);
  fs::rename(staging, out);
  fs::remove_all(old);
}

// Removes a folder unless the build got through: nothing half-written stays.
struct RemoveUnlessDone {
  fs::path path;
  bool done = false;
  ~RemoveUnlessDone() {
    std::error_code ec;
    if (!done) fs::remove_all(path, ec);
  }
};

}  // namespace

DatasetCounts build_dataset(const DatasetOptions& options, std::ostream& log) {
  DatasetCounts counts;
  // 1. Everything read and checked before anything is written. The records' lines wait on disk
  // (the spool) until they are written; the written ones are also gathered there as a dataset
  // folder, for the figures of `warpsynth stats` in the card.
  TempDir work_dir("warpsynth-dataset-");
  RecordSpool spool(work_dir.path() / "records.spool");
  Selection s;
  s.records = read_dataset_folders(options.inputs, "input", &spool);
  const std::vector<InputRecord> holdout = read_dataset_folders(options.holdouts, "holdout", nullptr);
  counts.read = s.records.size();
  if (options.progress) log << "read " << s.records.size() << " records from " << options.inputs.size() << " folder(s)\n";

  // 2.-6. Exact dedup across every input, decontamination, near-dedup, splits.
  s.kept = exact_dedup(s.records);
  counts.exact_duplicates = s.records.size() - s.kept.size();
  const dedup::NearDedupOptions near = near_options(options);
  remove_contaminated(s, holdout, near, counts);
  cluster_near_duplicates(s, options, near, counts, log);
  if (!options.pairs_path.empty()) write_pairs(s, options.pairs_path);
  choose_and_split(s, options, counts);

  // 7.-8. Rows, preambles, card and summary, into a folder next to the output, which replaces it
  // whole at the end: on any failure the staging folder goes, the output stays as it was.
  const fs::path out(options.out_dir);
  const fs::path staging = out.string() + ".tmp-dataset";
  fs::remove_all(staging);
  fs::create_directories(staging / "data");
  RemoveUnlessDone cleanup{staging};
  CardFacts facts;
  facts.format = options.format;
  facts.split_order = options.split_names;
  std::set<std::string> warp_versions;
  const fs::path written_dir = work_dir.path() / "written";
  fs::create_directories(written_dir);
  {
    std::ofstream written(written_dir / "kernels.jsonl", std::ios::binary);
    write_rows(s, options, spool, staging, written, facts, warp_versions, counts, log);
  }
  copy_preambles(options, staging);
  add_card_figures(facts, options, warp_versions, counts, s.clusters.bands, written_dir.string());
  {
    AtomicFile card((staging / "README.md").string());
    card.stream() << dataset_card(facts);
    card.commit();
  }
  write_summary(staging / "summary.json", options, counts, s.clusters.bands, facts);

  // 9.
  replace_folder(out, staging);
  cleanup.done = true;
  return counts;
}

}  // namespace warpsynth

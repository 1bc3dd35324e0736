#include "stats/dataset_stats.h"

#include "dataset/record.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <vector>

#include "dataset/shard_files.h"
#include "model/features.h"

namespace warpsynth {
namespace {

double percent(std::uint64_t part, std::uint64_t whole) { return whole ? 100.0 * part / whole : 0.0; }

void count_strings(const std::vector<std::string>& list, std::map<std::string, std::uint64_t>& counts) {
  for (const auto& item : list) ++counts[item];
}

// One record's counts into `stats`.
void add_record(DatasetStats& stats, const Record& r, std::set<std::string>& ids, std::map<std::string, double>& line_sums) {
  ++stats.records;
  ids.insert(r.id);
  ++stats.origins[origin_name(r.origin)];
  const RecordMeta& meta = r.meta;
  if (meta.generator) ++stats.templates[meta.generator->template_name];
  if (meta.features) {
    count_strings(meta.features->constructs, stats.constructs);
    count_strings(meta.features->builtins, stats.builtins);
    count_strings(meta.features->types, stats.types);
  } else if (meta.builtins) {
    count_strings(*meta.builtins, stats.builtins);
  }
  for (const auto& [level, verdict] : r.verify.levels) ++stats.verify[level][verdict.outcome_name()];
  if (meta.quality) stats.quality.add(*meta.quality, meta.lines.cpu_forward);
  for (const auto& [name, n] : meta.lines.named()) {
    line_sums[name] += n;
    stats.lines[name].push_back(n);
  }
}

}  // namespace

DatasetStats DatasetStats::of_folder(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) throw std::runtime_error("no dataset at " + dir + ": no such folder");
  DatasetStats stats;
  if (std::ifstream summary(std::filesystem::path(dir) / "summary.json"); summary) {
    nlohmann::json j = nlohmann::json::parse(summary, nullptr, false);
    if (j.is_object() && j.contains("verify_levels") && j["verify_levels"].is_object()) {
      stats.run_verify_levels = j["verify_levels"];
    }
  }
  std::set<std::string> ids;
  std::map<std::string, double> line_sums;
  std::map<std::string, std::uint64_t> line_numbers;
  int files = for_each_record(dir, [&](const std::string& file, const std::string& line) {
    std::uint64_t number = ++line_numbers[file];
    Record record;
    try {
      record = Record::parse(line);
    } catch (const RecordFormatError& e) {
      if (e.kind == RecordFormatError::Kind::kField) throw std::runtime_error(fmt::format("{}:{}: {}", file, number, e.what()));
      if (e.kind == RecordFormatError::Kind::kNotJson) throw std::runtime_error(fmt::format("{}:{}: not a JSON record", file, number));
      throw std::runtime_error(fmt::format("{}:{}: not a warpsynth record: {}", file, number, e.what()));
    }
    add_record(stats, record, ids, line_sums);
  });
  if (files == 0)
    throw std::runtime_error("no dataset at " + dir + " (no kernels*.jsonl, kernels-*.jsonl.zst or kernels-*/ there)");
  stats.distinct_python = ids.size();
  stats.quality.finish();
  for (const auto& [key, sum] : line_sums) stats.mean_lines[key] = stats.records ? sum / stats.records : 0;
  return stats;
}

nlohmann::ordered_json DatasetStats::to_json() const {
  nlohmann::ordered_json constructs_json = nlohmann::ordered_json::object();
  for (const char* c : model::kConstructs) {
    auto it = constructs.find(c);
    constructs_json[c] = it == constructs.end() ? 0 : it->second;
  }
  return {
      {"records", records},
      {"distinct_python", distinct_python},
      {"distinct_builtins", builtins.size()},
      {"distinct_types", types.size()},
      {"origins", origins},
      {"templates", templates},
      {"constructs", constructs_json},
      {"builtins", builtins},
      {"types", types},
      {"verify", verify},
      {"run_verify_levels", run_verify_levels},
      {"mean_lines", mean_lines},
      {"quality", quality.to_json()},
  };
}

void DatasetStats::print(std::ostream& out) const {
  out << fmt::format("records: {}   distinct normalized Python: {} ({:.2f}%)\n", records, distinct_python,
                     percent(distinct_python, records));
  for (const auto& [origin, n] : origins)
    out << fmt::format("  origin {:<12} {:>8} ({:.1f}%)\n", origin, n, percent(n, records));
  if (!templates.empty()) {
    out << "templates (share of kernels):\n";
    for (const auto& [name, n] : templates)
      out << fmt::format("  {:<18} {:>8} {:>6.2f}%\n", name, n, percent(n, records));
  }
  if (!constructs.empty()) {
    out << "constructs (kernels using each):\n";
    for (const char* c : model::kConstructs) {
      auto it = constructs.find(c);
      std::uint64_t n = it == constructs.end() ? 0 : it->second;
      out << fmt::format("  {:<18} {:>8} {:>6.2f}%\n", c, n, percent(n, records));
    }
  }
  out << fmt::format("builtins: {} distinct; types: {} distinct\n", builtins.size(), types.size());
  std::vector<std::pair<std::uint64_t, std::string>> top;
  for (const auto& [name, n] : builtins) top.emplace_back(n, name);
  std::sort(top.rbegin(), top.rend());
  std::string line = "  most used:";
  for (size_t i = 0; i < top.size() && i < 12; ++i)
    line += fmt::format(" {} ({:.0f}%)", top[i].second, percent(top[i].first, records));
  out << line << "\n";
  if (!verify.empty()) {
    out << "verification:\n";
    for (const auto& [level, outcomes] : verify) {
      std::string text;
      for (const auto& [outcome, n] : outcomes) text += fmt::format(" {}={}", outcome, n);
      out << fmt::format("  {:<15}{}\n", level, text);
    }
  }
  if (run_verify_levels.is_object()) {
    out << "verification of every sample of the run, failed ones included (summary.json):\n";
    for (auto it = run_verify_levels.begin(); it != run_verify_levels.end(); ++it) {
      const auto& c = *it;
      out << fmt::format("  {:<15} ok={} failed={} skipped={}\n", it.key(), c.value("ok", 0), c.value("failed", 0),
                         c.value("skipped", 0));
      if (c.contains("reasons") && c["reasons"].is_object()) {
        for (auto r = c["reasons"].begin(); r != c["reasons"].end(); ++r) {
          out << fmt::format("    {} x {}\n", r->is_number() ? r->get<std::uint64_t>() : 0, r.key().substr(0, 120));
        }
      }
    }
  }
  if (!mean_lines.empty()) {
    std::string text;
    for (const auto& [key, mean] : mean_lines) text += fmt::format(" {}={:.1f}", key, mean);
    out << "mean lines:" << text << "\n";
  }
  if (quality.kernels) quality.print(out);
}

}  // namespace warpsynth

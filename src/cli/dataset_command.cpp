#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "dataset_build/dataset_build.h"

namespace warpsynth::cli {
namespace {

const char* kHelp = R"(Build one dataset from any number of warpsynth outputs.

Reads every record of each RUN_DIR (the output of `generate`, `extract` or `verify`, in any
shard format) and writes one dataset into --out:
  - exact duplicates (the same normalized Python, the record id) are dropped across all inputs;
  - near-duplicates are found by MinHash over token 5-grams of the Python (--permutations,
    LSH bands chosen so that a pair at Jaccard 0.9 is missed with probability < 1e-4, every
    candidate confirmed by its exact Jaccard) and joined into clusters; one record per
    cluster is kept (the most verified, then the smallest id), or all with --keep-near; the
    cluster is a column either way;
  - records near (or equal) to a record of a --holdout dataset are dropped (decontamination);
  - splits do not leak: a near-duplicate cluster goes whole to one split, and so do the
    kernels of one source file (extracted code); --split-by template holds out whole
    generator templates. The split of a group is a hash of its smallest id: the same inputs
    give the same splits, and added data moves only the groups it joins.

Writes (the folder is replaced whole, or left as it was):
  DIR/data/{split}-NNNNN-of-NNNNN.parquet   flat columns, zstd (--format jsonl: .jsonl)
  DIR/README.md                             the dataset card, with the YAML header the
                                            Hugging Face hub reads
  DIR/summary.json                          counts removed at each step, splits
  DIR/preambles/                            the headers the C++ of the rows includes

Exit code: 0 done, 1 an input that cannot be read (named with its file and line), 2 usage.)";

}  // namespace

Runner add_dataset_command(CLI::App& app) {
  struct State {
    DatasetOptions options;
    std::string split = "0.9,0.05,0.05";
    std::string split_by = "cluster";
    std::string format = "parquet";
    bool quiet = false;
  };
  auto state = std::make_shared<State>();
  CLI::App* cmd = app.add_subcommand("dataset", "Build one deduplicated, split dataset (Parquet) from warpsynth outputs");
  cmd->footer(kHelp);
  cmd->add_option("RUN_DIR", state->options.inputs, "Outputs of generate, extract or verify")->required();
  cmd->add_option("--out", state->options.out_dir, "Output folder (replaced whole)")->required();
  cmd->add_option("--holdout", state->options.holdouts,
                  "A dataset (generate/extract/verify output) whose near-duplicates are dropped (repeatable)");
  cmd->add_option("--split", state->split, "Fractions of train,validation,test, summing to 1")
      ->default_val("0.9,0.05,0.05");
  cmd->add_option("--split-by", state->split_by,
                  "Group records for splits by near-duplicate cluster (and source file), or also by generator template")
      ->default_val("cluster")
      ->check(CLI::IsMember({"cluster", "template"}));
  cmd->add_option("--near", state->options.near_threshold, "Jaccard index of token 5-grams at which two records are near-duplicates")
      ->default_val(0.85)
      ->check(cli::finite_positive())
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--permutations", state->options.permutations, "MinHash permutations")
      ->default_val(256)
      ->check(CLI::Range(16, 4096));
  cmd->add_option("--ngram", state->options.ngram, "Tokens per shingle")->default_val(5)->check(CLI::Range(1, 50));
  cmd->add_flag("--keep-near", state->options.keep_near, "Keep every member of a near-duplicate cluster");
  cmd->add_option("--format", state->format, "Row files: parquet or jsonl")
      ->default_val("parquet")
      ->check(CLI::IsMember({"parquet", "jsonl"}));
  cmd->add_option("--pairs", state->options.pairs_path,
                  "Also write every confirmed near-duplicate pair to this file ({\"a\", \"b\", \"jaccard\"} a line)");
  cmd->add_flag("--quiet,-q", state->quiet, "No progress lines on stderr");
  return [state]() {
    DatasetOptions& options = state->options;
    // The names CLI11 checked, parsed once.
    options.split_by = state->split_by == "template" ? SplitPolicy::kTemplate : SplitPolicy::kCluster;
    options.format = state->format == "jsonl" ? DatasetFormat::kJsonl : DatasetFormat::kParquet;
    std::vector<double> fractions;
    std::stringstream parts(state->split);
    std::string part;
    bool bad = false;
    while (std::getline(parts, part, ',')) {
      char* end = nullptr;
      double value = std::strtod(part.c_str(), &end);
      if (part.empty() || *end != '\0' || !std::isfinite(value) || value < 0) bad = true;
      fractions.push_back(value);
    }
    double sum = 0;
    for (double f : fractions) sum += f;
    if (bad || fractions.size() != 3 || std::abs(sum - 1.0) > 1e-9) {
      std::cerr << "warpsynth dataset: --split " << state->split
                << ": give three fractions, 0 or above, for train,validation,test, summing to 1 (e.g. 0.9,0.05,0.05)\n";
      return kExitUsage;
    }
    options.split_fractions = fractions;
    if (auto problem = check_out_dir(options.out_dir, "dataset"); !problem.empty()) {
      std::cerr << "warpsynth dataset: " << problem << "\n";
      return kExitUsage;
    }
    std::error_code ec;
    for (const auto& input : options.inputs) {
      if (std::filesystem::exists(input, ec) && std::filesystem::exists(options.out_dir, ec) &&
          std::filesystem::equivalent(input, options.out_dir, ec)) {
        std::cerr << "warpsynth dataset: --out " << options.out_dir << " is one of the inputs\n";
        return kExitUsage;
      }
    }
    options.progress = !state->quiet;
    try {
      DatasetCounts counts = build_dataset(options, std::cerr);
      std::cout << fmt::format(
          "records: {} read, {} exact duplicates, {} near a holdout record, {} near-duplicates dropped "
          "({} clusters), {} written\n",
          counts.read, counts.exact_duplicates, counts.contaminated, counts.near_duplicates, counts.clusters,
          counts.written);
      std::cout << "output: " << options.out_dir << " (README.md is the dataset card)\n";
      return kExitOk;
    } catch (const std::exception& e) {
      std::cerr << "warpsynth dataset: " << e.what() << "\n";
      return kExitFailure;
    }
  };
}

}  // namespace warpsynth::cli

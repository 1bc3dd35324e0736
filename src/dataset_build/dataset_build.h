// `warpsynth dataset`: one deduplicated, leakage-free dataset from any number of generate,
// extract and verify outputs (docs/dataset-build.md).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "dataset_build/dataset_options.h"

namespace warpsynth {

struct DatasetOptions {
  std::vector<std::string> inputs;   // generate, extract or verify output folders
  std::vector<std::string> holdouts; // records near-duplicate to these are dropped (decontamination)
  std::string out_dir;
  std::vector<std::string> split_names{"train", "validation", "test"};
  std::vector<double> split_fractions{0.9, 0.05, 0.05};
  SplitPolicy split_by = SplitPolicy::kCluster;
  double near_threshold = 0.85;      // exact Jaccard of token 5-grams
  int permutations = 256;
  int ngram = 5;
  bool keep_near = false;            // keep every member of a near-duplicate cluster
  DatasetFormat format = DatasetFormat::kParquet;
  std::uint64_t rows_per_file = 20'000;
  bool progress = true;
  std::string pairs_path;            // when set: every confirmed near-duplicate pair written there (JSONL)
};

struct DatasetCounts {
  std::uint64_t read = 0;
  std::uint64_t exact_duplicates = 0;
  std::uint64_t near_duplicates = 0;  // dropped as non-representatives (0 with --keep-near)
  std::uint64_t contaminated = 0;     // near (or equal) to a holdout record
  std::uint64_t written = 0;
  std::uint64_t clusters = 0;         // near-duplicate clusters among the records kept by exact dedup
  std::uint64_t lsh_candidates = 0;
  std::uint64_t near_pairs = 0;
};

// Reads every input in full (a bad one throws DatasetInputError before anything is written), then
// writes the dataset into out_dir, replacing a dataset there. Throws std::runtime_error on a
// failure to write.
DatasetCounts build_dataset(const DatasetOptions& options, std::ostream& log);

struct DatasetInputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace warpsynth

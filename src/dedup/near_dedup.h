// Near-duplicate clusters of a set of texts: MinHash signatures, LSH candidate pairs, each
// candidate confirmed by the exact Jaccard index of the two shingle sets, and the confirmed pairs
// joined into clusters (a pair links its two records; a cluster is what the links connect).
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "dedup/lsh.h"

namespace warpsynth::dedup {

struct NearDedupOptions {
  int permutations = 256;
  int ngram = 5;
  double threshold = 0.85;  // exact Jaccard at or above which two records are near-duplicates
  std::uint64_t seed = 1;   // of the MinHash permutations
  // The bands: chosen so that a pair at Jaccard 0.9 is missed with probability < 1e-4.
  double sure_jaccard = 0.9;
  double max_miss = 1e-4;
};

struct NearDedupResult {
  LshBands bands;
  std::uint64_t candidates = 0;                                  // pairs the LSH proposed
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;    // confirmed, i < j, sorted
  std::vector<std::uint32_t> cluster;                            // per record: the smallest index of its cluster
};

class UnionFind {
 public:
  explicit UnionFind(std::size_t n);
  std::uint32_t find(std::uint32_t x);
  // Joins the sets of x and y; the root is the smaller index, so that a cluster is named by its
  // smallest member whatever the order of the joins.
  void join(std::uint32_t x, std::uint32_t y);

 private:
  std::vector<std::uint32_t> parent_;
};

// Shingles of each text (shingle_hashes), computed once.
std::vector<std::vector<std::uint64_t>> shingle_sets(const std::vector<std::string_view>& texts, int ngram);

NearDedupResult near_duplicates(const std::vector<std::vector<std::uint64_t>>& shingles, const NearDedupOptions& options);

// The confirmed near-duplicate pairs between `queries` and `references` (holdout data):
// for each query, whether some reference is at or above the threshold.
std::vector<bool> near_any(const std::vector<std::vector<std::uint64_t>>& queries,
                           const std::vector<std::vector<std::uint64_t>>& references, const NearDedupOptions& options);

}  // namespace warpsynth::dedup

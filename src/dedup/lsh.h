// Locality-sensitive hashing of MinHash signatures: the signature is cut into `bands` bands of
// `rows` entries; two records whose signatures agree on a whole band are a candidate pair. A pair
// at Jaccard J becomes a candidate with probability 1 - (1 - J^rows)^bands.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace warpsynth::dedup {

struct LshBands {
  int bands = 0;
  int rows = 0;
};

// The probability that a pair at Jaccard `jaccard` is not a candidate.
double miss_probability(LshBands bands, double jaccard);

// The bands for signatures of `permutations` entries: the most rows per band (the fewest false
// candidates to confirm) such that a pair at Jaccard `sure_jaccard` is missed with probability
// below `max_miss` (issue 12: 0.9 and 1e-4). Throws std::invalid_argument when none is.
LshBands choose_bands(int permutations, double sure_jaccard = 0.9, double max_miss = 1e-4);

// Every pair (i < j) of the signatures that agree on at least one band, sorted, each once.
std::vector<std::pair<std::uint32_t, std::uint32_t>> candidate_pairs(
    const std::vector<std::vector<std::uint32_t>>& signatures, LshBands bands);

}  // namespace warpsynth::dedup

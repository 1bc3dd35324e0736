#include "dedup/lsh.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

#include <xxhash.h>

namespace warpsynth::dedup {

double miss_probability(LshBands b, double jaccard) {
  return std::pow(1.0 - std::pow(jaccard, b.rows), b.bands);
}

LshBands choose_bands(int permutations, double sure_jaccard, double max_miss) {
  for (int rows = permutations; rows >= 1; --rows) {
    LshBands b{permutations / rows, rows};
    if (b.bands >= 1 && miss_probability(b, sure_jaccard) < max_miss) return b;
  }
  throw std::invalid_argument("no banding of " + std::to_string(permutations) +
                              " permutations misses a pair at Jaccard " + std::to_string(sure_jaccard) +
                              " with probability below " + std::to_string(max_miss));
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> candidate_pairs(
    const std::vector<std::vector<std::uint32_t>>& signatures, LshBands bands) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> buckets;
  for (int band = 0; band < bands.bands; ++band) {
    buckets.clear();
    for (std::uint32_t i = 0; i < signatures.size(); ++i) {
      const std::uint32_t* rows = signatures[i].data() + static_cast<std::size_t>(band) * bands.rows;
      buckets[XXH3_64bits(rows, sizeof(std::uint32_t) * bands.rows)].push_back(i);
    }
    for (const auto& [key, members] : buckets) {
      for (std::size_t x = 0; x < members.size(); ++x) {
        for (std::size_t y = x + 1; y < members.size(); ++y) pairs.emplace_back(members[x], members[y]);
      }
    }
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

}  // namespace warpsynth::dedup

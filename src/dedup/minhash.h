// MinHash signatures of shingle sets: the share of equal entries of two signatures estimates the
// Jaccard index of the sets (Broder 1997). Permutation i maps a shingle hash h, folded to 32 bits
// x, to ((a_i x + b_i) mod 2^64) >> 32 (a_i odd: multiply-add-shift, a universal family), and the
// signature keeps the smallest value per permutation.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace warpsynth::dedup {

class MinHasher {
 public:
  // `permutations` functions drawn from `seed`: the same seed gives the same signatures.
  MinHasher(int permutations, std::uint64_t seed);
  int permutations() const { return static_cast<int>(b_.size()); }
  // The signature of a set of shingle hashes (an empty set: all entries 2^32 - 1).
  std::vector<std::uint32_t> signature(std::span<const std::uint64_t> shingles) const;

 private:
  std::vector<std::uint32_t> a_low_, a_high_;  // the multipliers a_i (odd), in halves
  std::vector<std::uint64_t> b_;
};

}  // namespace warpsynth::dedup

#include "dedup/minhash.h"

#include <algorithm>

namespace warpsynth::dedup {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

MinHasher::MinHasher(int permutations, std::uint64_t seed) {
  std::uint64_t state = seed;
  for (int i = 0; i < permutations; ++i) {
    const std::uint64_t a = splitmix64(state) | 1;
    a_low_.push_back(static_cast<std::uint32_t>(a));
    a_high_.push_back(static_cast<std::uint32_t>(a >> 32));
    b_.push_back(splitmix64(state));
  }
}

namespace {

// out[i] = min(out[i], ((a_i x + b_i) mod 2^64) >> 32) for every permutation i, with a_i split into
// 32-bit halves so that a_i x is two 32x32->64 products, which vectorize (SSE2's pmuludq; -O3 for
// this file). A 64x64-bit product did not vectorize and took 80% of the near-dedup's time.
void fold_in(std::uint32_t* __restrict out, const std::uint32_t* __restrict a_low,
             const std::uint32_t* __restrict a_high, const std::uint64_t* __restrict b, std::uint32_t x, int n) {
  for (int i = 0; i < n; ++i) {
    const std::uint64_t product = static_cast<std::uint64_t>(a_low[i]) * x + (static_cast<std::uint64_t>(a_high[i]) * x << 32);
    const auto value = static_cast<std::uint32_t>((product + b[i]) >> 32);
    out[i] = value < out[i] ? value : out[i];
  }
}

}  // namespace

std::vector<std::uint32_t> MinHasher::signature(std::span<const std::uint64_t> shingles) const {
  const int n = static_cast<int>(b_.size());
  std::vector<std::uint32_t> signature(n, 0xffffffffu);
  for (std::uint64_t h : shingles) {
    fold_in(signature.data(), a_low_.data(), a_high_.data(), b_.data(), static_cast<std::uint32_t>(h ^ (h >> 32)), n);
  }
  return signature;
}

}  // namespace warpsynth::dedup

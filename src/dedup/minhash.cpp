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
    a_.push_back(splitmix64(state) | 1);
    b_.push_back(splitmix64(state));
  }
}

std::vector<std::uint32_t> MinHasher::signature(std::span<const std::uint64_t> shingles) const {
  const std::size_t n = a_.size();
  std::vector<std::uint32_t> signature(n, 0xffffffffu);
  std::uint32_t* out = signature.data();
  const std::uint64_t* a = a_.data();
  const std::uint64_t* b = b_.data();
  // Shingles outer, permutations inner: the inner loop is a straight min over arrays, which the
  // compiler vectorizes.
  for (std::uint64_t h : shingles) {
    for (std::size_t i = 0; i < n; ++i) {
      auto value = static_cast<std::uint32_t>((a[i] * h + b[i]) >> 32);
      out[i] = std::min(out[i], value);
    }
  }
  return signature;
}

}  // namespace warpsynth::dedup

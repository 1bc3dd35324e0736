// Deterministic random numbers for generation. Only integer arithmetic of our own: the standard
// library's distributions differ between implementations, and a seed must give the same kernel
// on every machine.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace warpsynth::generator {

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// The seed of sample `index` in a run: a counter-based hash, so any sample can be made alone and
// the result does not depend on how samples are spread over workers.
inline std::uint64_t sample_seed(std::uint64_t run_seed, std::uint64_t index) {
  return splitmix64(splitmix64(run_seed) ^ splitmix64(index ^ 0x5851F42D4C957F2Dull));
}

// xoshiro256** seeded through SplitMix64.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& s : state_) s = seed = splitmix64(seed);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [lo, hi], both included.
  int uniform(int lo, int hi) {
    auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(hi) - lo + 1);
    return lo + static_cast<int>(next() % span);
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return p > 0 && unit() < p; }

  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[index(items.size())];
  }
  // Uniform in [0, n): the position pick() draws.
  size_t index(size_t n) { return static_cast<size_t>(next() % n); }

  // Index drawn with probability proportional to weights[i]; -1 when all weights are 0.
  int weighted(std::span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w > 0 ? w : 0;
    if (total <= 0) return -1;
    double x = unit() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      double w = weights[i] > 0 ? weights[i] : 0;
      if (x < w) return static_cast<int>(i);
      x -= w;
    }
    for (size_t i = weights.size(); i-- > 0;) {
      if (weights[i] > 0) return static_cast<int>(i);
    }
    return -1;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

}  // namespace warpsynth::generator

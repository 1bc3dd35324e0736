#include "dataset_build/selection.h"

#include <algorithm>
#include <numeric>

#include <xxhash.h>

namespace warpsynth {

std::vector<std::size_t> exact_dedup(const std::vector<InputRecord>& records) {
  std::vector<std::size_t> order(records.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (records[a].id != records[b].id) return records[a].id < records[b].id;
    return records[a].verified_ok > records[b].verified_ok;
  });
  std::vector<std::size_t> kept;
  for (std::size_t i : order) {
    if (kept.empty() || records[kept.back()].id != records[i].id) kept.push_back(i);
  }
  return kept;
}

std::uint32_t cluster_representative(const std::vector<std::uint32_t>& members, const std::vector<std::size_t>& kept,
                                     const std::vector<InputRecord>& records) {
  std::uint32_t best = members.front();
  for (std::uint32_t k : members) {
    if (records[kept[k]].verified_ok > records[kept[best]].verified_ok) best = k;
  }
  return best;
}

std::size_t split_of(const std::string& key, const std::vector<double>& fractions) {
  const double u = static_cast<double>(XXH3_64bits(key.data(), key.size())) / 18446744073709551616.0;
  double cumulative = 0;
  for (std::size_t s = 0; s < fractions.size(); ++s) {
    cumulative += fractions[s];
    if (u < cumulative) return s;
  }
  return fractions.size() - 1;
}

}  // namespace warpsynth

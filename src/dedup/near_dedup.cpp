#include "dedup/near_dedup.h"

#include <numeric>

#include "dedup/minhash.h"
#include "dedup/shingles.h"

namespace warpsynth::dedup {

UnionFind::UnionFind(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0u); }

std::uint32_t UnionFind::find(std::uint32_t x) {
  while (parent_[x] != x) {
    parent_[x] = parent_[parent_[x]];
    x = parent_[x];
  }
  return x;
}

void UnionFind::join(std::uint32_t x, std::uint32_t y) {
  x = find(x);
  y = find(y);
  if (x == y) return;
  if (y < x) std::swap(x, y);
  parent_[y] = x;
}

std::vector<std::vector<std::uint64_t>> shingle_sets(const std::vector<std::string_view>& texts, int ngram) {
  std::vector<std::vector<std::uint64_t>> sets;
  sets.reserve(texts.size());
  for (auto text : texts) sets.push_back(shingle_hashes(text, ngram));
  return sets;
}

namespace {

std::vector<std::vector<std::uint32_t>> signatures_of(const std::vector<std::vector<std::uint64_t>>& shingles,
                                                      const MinHasher& hasher) {
  std::vector<std::vector<std::uint32_t>> signatures;
  signatures.reserve(shingles.size());
  for (const auto& set : shingles) signatures.push_back(hasher.signature(set));
  return signatures;
}

}  // namespace

NearDedupResult near_duplicates(const std::vector<std::vector<std::uint64_t>>& shingles,
                                const NearDedupOptions& options) {
  NearDedupResult result;
  result.bands = choose_bands(options.permutations, options.sure_jaccard, options.max_miss);
  MinHasher hasher(options.permutations, options.seed);
  auto candidates = candidate_pairs(signatures_of(shingles, hasher), result.bands);
  result.candidates = candidates.size();
  UnionFind clusters(shingles.size());
  for (const auto& [i, j] : candidates) {
    if (jaccard(shingles[i], shingles[j]) >= options.threshold) {
      result.pairs.emplace_back(i, j);
      clusters.join(i, j);
    }
  }
  result.cluster.resize(shingles.size());
  for (std::uint32_t i = 0; i < shingles.size(); ++i) result.cluster[i] = clusters.find(i);
  return result;
}

std::vector<bool> near_any(const std::vector<std::vector<std::uint64_t>>& queries,
                           const std::vector<std::vector<std::uint64_t>>& references, const NearDedupOptions& options) {
  std::vector<bool> found(queries.size(), false);
  if (queries.empty() || references.empty()) return found;
  // One LSH over both sets; only pairs across them count.
  std::vector<std::vector<std::uint64_t>> all;
  all.reserve(queries.size() + references.size());
  all.insert(all.end(), queries.begin(), queries.end());
  all.insert(all.end(), references.begin(), references.end());
  LshBands bands = choose_bands(options.permutations, options.sure_jaccard, options.max_miss);
  MinHasher hasher(options.permutations, options.seed);
  const auto q = static_cast<std::uint32_t>(queries.size());
  for (const auto& [i, j] : candidate_pairs(signatures_of(all, hasher), bands)) {
    if (i < q && j >= q && !found[i] && jaccard(all[i], all[j]) >= options.threshold) found[i] = true;
  }
  return found;
}

}  // namespace warpsynth::dedup

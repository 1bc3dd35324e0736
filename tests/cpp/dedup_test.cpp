#include <random>
#include <string>

#include <gtest/gtest.h>

#include "dedup/lsh.h"
#include "dedup/minhash.h"
#include "dedup/near_dedup.h"
#include "dedup/shingles.h"

using namespace warpsynth::dedup;

TEST(Shingles, TokensAreWordsNumbersAndSingleCharacters) {
  auto tokens = python_tokens("x[i] = wp.sin(a_1 * 2.5e3)  # c\n");
  std::vector<std::string> text(tokens.begin(), tokens.end());
  EXPECT_EQ(text, (std::vector<std::string>{"x", "[", "i", "]", "=", "wp", ".", "sin", "(", "a_1", "*", "2.5e3", ")",
                                             "#", "c"}));
}

TEST(Shingles, FiveGramsAreDistinctSortedAndShortTextsHaveOne) {
  auto a = shingle_hashes("a b c d e f");  // 2 five-grams
  EXPECT_EQ(a.size(), 2u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(shingle_hashes("a b").size(), 1u);
  EXPECT_EQ(shingle_hashes("a b c d e a b c d e").size(), 5u);  // repeated grams once
  EXPECT_EQ(shingle_hashes("a  b\n c d\te"), shingle_hashes("a b c d e"));  // white space is not a token
}

TEST(Shingles, JaccardOfSortedSets) {
  EXPECT_DOUBLE_EQ(jaccard({1, 2, 3, 4}, {3, 4, 5, 6}), 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(jaccard({}, {}), 1.0);
  EXPECT_DOUBLE_EQ(jaccard({1}, {}), 0.0);
}

TEST(Lsh, BandsMissAPairAtJaccard09WithProbabilityBelow1e4) {
  LshBands b = choose_bands(256, 0.9, 1e-4);
  EXPECT_LE(b.bands * b.rows, 256);
  EXPECT_LT(miss_probability(b, 0.9), 1e-4);
  // the most rows that do: one more row per band misses too often
  LshBands more{256 / (b.rows + 1), b.rows + 1};
  EXPECT_GE(miss_probability(more, 0.9), 1e-4);
  EXPECT_THROW(choose_bands(4, 0.9, 1e-12), std::invalid_argument);
}

TEST(MinHash, EstimatesTheJaccardIndex) {
  // Sets of 400 with a known overlap: the share of equal signature entries is within 0.1 of it
  MinHasher hasher(256, 7);
  std::mt19937_64 rng(3);
  for (double target : {0.2, 0.5, 0.85, 0.95}) {
    std::vector<std::uint64_t> a, b;
    const int common = static_cast<int>(2 * 400 * target / (1 + target));
    for (int i = 0; i < common; ++i) a.push_back(rng()), b.push_back(a.back());
    while (a.size() < 400) a.push_back(rng());
    while (b.size() < 400) b.push_back(rng());
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    auto sa = hasher.signature(a), sb = hasher.signature(b);
    int equal = 0;
    for (int i = 0; i < 256; ++i) equal += sa[i] == sb[i];
    EXPECT_NEAR(equal / 256.0, jaccard(a, b), 0.1) << target;
  }
  EXPECT_EQ(MinHasher(256, 7).signature(std::vector<std::uint64_t>{1, 2}), hasher.signature(std::vector<std::uint64_t>{1, 2}));
}

TEST(NearDedup, AKernelWithOtherConstantsJoinsItsClusterAndAnotherKernelDoesNot) {
  std::string base;
  for (int i = 0; i < 40; ++i) base += "y[i] = wp.sin(x[i]) * " + std::to_string(i) + ".0 + z[i]\n";
  std::string variant = base;
  variant.replace(variant.find("* 3.0"), 5, "* 7.5");
  std::string other;
  for (int i = 0; i < 40; ++i) other += "acc += wp.length(v" + std::to_string(i) + ") / float(n)\n";
  std::vector<std::string> texts = {other, base, variant, base + "# a comment\n"};
  std::vector<std::string_view> views(texts.begin(), texts.end());
  auto result = near_duplicates(shingle_sets(views, 5), NearDedupOptions{});
  EXPECT_EQ(result.cluster, (std::vector<std::uint32_t>{0, 1, 1, 1}));  // named by the smallest index
  EXPECT_EQ(result.pairs.size(), 3u);
  EXPECT_GE(result.candidates, result.pairs.size());

  auto holdout = shingle_sets(std::vector<std::string_view>{variant}, 5);
  EXPECT_EQ(near_any(shingle_sets(views, 5), holdout, NearDedupOptions{}), (std::vector<bool>{false, true, true, true}));
}

TEST(NearDedup, UnionFindNamesAClusterByItsSmallestMemberWhateverTheOrder) {
  UnionFind a(5);
  a.join(4, 3);
  a.join(3, 1);
  EXPECT_EQ(a.find(4), 1u);
  UnionFind b(5);
  b.join(1, 3);
  b.join(4, 3);
  EXPECT_EQ(b.find(4), 1u);
  EXPECT_EQ(b.find(0), 0u);
}

namespace {

// Pairs of shingle sets of 100 hashes sharing `common` of them (Jaccard common / (200 - common)),
// every pair apart from every other; set 2p and 2p+1 are pair p.
std::vector<std::vector<std::uint64_t>> pairs_sharing(const std::vector<int>& common, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<std::uint64_t>> sets;
  for (int shared : common) {
    std::vector<std::uint64_t> a, b;
    for (int i = 0; i < shared; ++i) a.push_back(rng()), b.push_back(a.back());
    while (a.size() < 100) a.push_back(rng());
    while (b.size() < 100) b.push_back(rng());
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    sets.push_back(std::move(a));
    sets.push_back(std::move(b));
  }
  return sets;
}

}  // namespace

// The threshold decides: pairs just above --near (0.852) are near-duplicates, pairs just below
// (0.835) are not, counted exactly. A confirmation looser by even 0.02 joins the second kind.
TEST(NearDedup, PairsJustAboveTheThresholdJoinAndPairsJustBelowDoNot) {
  std::vector<int> common;
  for (int p = 0; p < 40; ++p) common.push_back(p % 2 == 0 ? 92 : 91);  // 92/108 = 0.852, 91/109 = 0.835
  auto sets = pairs_sharing(common, 11);
  NearDedupOptions options;  // --near 0.85
  ASSERT_DOUBLE_EQ(options.threshold, 0.85);
  auto result = near_duplicates(sets, options);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> expected;
  for (std::uint32_t p = 0; p < 40; p += 2) expected.emplace_back(2 * p, 2 * p + 1);
  EXPECT_EQ(result.pairs, expected);
  // most pairs below the threshold were candidates, and the confirmation turned them down
  EXPECT_GE(result.candidates, 38u);
  for (std::uint32_t p = 0; p < 40; ++p) {
    EXPECT_EQ(result.cluster[2 * p + 1], p % 2 == 0 ? 2 * p : 2 * p + 1) << "pair " << p;
  }

  // The same threshold against a holdout: the first of each pair queried against the second.
  std::vector<std::vector<std::uint64_t>> queries, references;
  for (std::size_t i = 0; i < sets.size(); i += 2) queries.push_back(sets[i]), references.push_back(sets[i + 1]);
  auto found = near_any(queries, references, options);
  for (std::size_t p = 0; p < found.size(); ++p) EXPECT_EQ(found[p], p % 2 == 0) << "pair " << p;
}

// The banding decides which pairs are compared at all: of 300 pairs at Jaccard 0.905, the chosen
// bands (a pair at 0.9 missed with p < 1e-4) find every one; half the bands would miss some.
TEST(NearDedup, EveryPairAboveTheSureJaccardIsFound) {
  auto sets = pairs_sharing(std::vector<int>(300, 95), 12);  // 95/105 = 0.905
  auto result = near_duplicates(sets, NearDedupOptions{});
  EXPECT_EQ(result.pairs.size(), 300u);
  EXPECT_EQ(result.candidates, 300u);  // sets of different pairs share nothing: no other candidate
  std::vector<std::vector<std::uint64_t>> queries, references;
  for (std::size_t i = 0; i < sets.size(); i += 2) queries.push_back(sets[i]), references.push_back(sets[i + 1]);
  auto found = near_any(queries, references, NearDedupOptions{});
  EXPECT_EQ(std::count(found.begin(), found.end(), true), 300);
}

// The token 5-grams ("shingles") of a kernel's Python that near-duplicate detection compares, as
// BigCode's near-dedup of The Stack does: two kernels that differ only in a constant or a name
// share most of their 5-grams.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace warpsynth::dedup {

// Python's tokens as the shingles see them: identifiers and keywords ([A-Za-z_][A-Za-z0-9_]*),
// numbers ([0-9][A-Za-z0-9_.]*), and every other character that is not white space, alone.
// Comments are tokens like the rest. bench/dedup.py tokenizes the same way (for datasketch).
std::vector<std::string_view> python_tokens(std::string_view text);

// The distinct n-grams of the tokens as 64-bit hashes (XXH3 of the tokens' XXH3 hashes), sorted.
// A text of fewer than n tokens has one shingle: all its tokens.
std::vector<std::uint64_t> shingle_hashes(std::string_view text, int n = 5);

// |a ∩ b| / |a ∪ b| of two sorted sets of distinct hashes (1 for two empty sets).
double jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b);

}  // namespace warpsynth::dedup

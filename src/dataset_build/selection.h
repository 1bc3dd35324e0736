// The rules of `warpsynth dataset` that decide which records a user keeps and where each goes:
// which of equal records stays, which member of a near-duplicate cluster stands for it, and the
// split of a group. Each is tested on its own (tests/cpp/dataset_selection_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dataset_build/dataset_inputs.h"

namespace warpsynth {

// Of exact duplicates (equal ids) the record kept: the most verified, then the first read. The
// indices kept, sorted by id.
std::vector<std::size_t> exact_dedup(const std::vector<InputRecord>& records);

// The member of a near-duplicate cluster that stands for it: the most verified, then the first
// in `members` (the smallest id). `members` index `kept`, which indexes `records`.
std::uint32_t cluster_representative(const std::vector<std::uint32_t>& members, const std::vector<std::size_t>& kept,
                                     const std::vector<InputRecord>& records);

// The split of a group named by `key`: XXH3 of the key as a fraction of 2^64, against the
// cumulative fractions.
std::size_t split_of(const std::string& key, const std::vector<double>& fractions);

}  // namespace warpsynth

#include "run/shard_assembler.h"

#include <algorithm>
#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include "test_files.h"

namespace fs = std::filesystem;
using namespace warpsynth;
using warpsynth::testing::fresh_dir;
using warpsynth::testing::read_text;

namespace {

// Samples 10..29: every 7th fails, ids repeat every 9 (so some records are exact duplicates).
std::vector<SampleResult> samples() {
  std::vector<SampleResult> all;
  for (std::uint64_t i = 10; i < 30; ++i) {
    SampleResult r;
    r.index = i;
    r.template_name = "map";
    r.ok = i % 7 != 0;
    if (r.ok) {
      r.id = "id" + std::to_string(i % 9);
      r.record = "{\"index\":" + std::to_string(i) + "}";
    } else {
      r.stage = "codegen";
      r.message = "failed " + std::to_string(i);
    }
    all.push_back(r);
  }
  return all;
}

ShardOutcome assemble(const fs::path& dir, std::vector<SampleResult> results, ShardFormat format) {
  ShardAssembler assembler(dir.string(), {2, 10, 30}, format);
  for (auto& r : results) {
    EXPECT_FALSE(assembler.complete());
    assembler.add(std::move(r));
  }
  EXPECT_TRUE(assembler.complete());
  return assembler.commit();
}

}  // namespace

TEST(ShardAssembler, AnyArrivalOrderWritesTheSameShard) {
  for (auto format : {ShardFormat::kJsonl, ShardFormat::kJsonlZstd, ShardFormat::kJson}) {
    fs::path in_order = fresh_dir("ordered"), shuffled = fresh_dir("shuffled");
    ShardOutcome a = assemble(in_order, samples(), format);
    auto mixed = samples();
    std::shuffle(mixed.begin(), mixed.end(), std::mt19937(7));
    ShardOutcome b = assemble(shuffled, mixed, format);
    EXPECT_EQ(a.to_json(), b.to_json());
    std::string name = shard_file_name(2, format);
    if (format == ShardFormat::kJson) {
      EXPECT_EQ(read_text(in_order / name / "sample-000000011.json"),
                read_text(shuffled / name / "sample-000000011.json"));
    } else {
      EXPECT_EQ(read_text(in_order / name), read_text(shuffled / name));
    }
  }
}

TEST(ShardAssembler, DropsLaterDuplicatesAndListsFailuresInIndexOrder) {
  fs::path dir = fresh_dir("counts");
  auto mixed = samples();
  std::reverse(mixed.begin(), mixed.end());
  ShardOutcome outcome = assemble(dir, mixed, ShardFormat::kJsonl);
  // Failures at 14, 21, 28; of the 17 records, ids id0..id8 are written once each.
  EXPECT_EQ(outcome.samples, 20u);
  EXPECT_EQ(outcome.failures_by_stage["codegen"], 3u);
  ASSERT_EQ(outcome.failures.size(), 3u);
  EXPECT_EQ(outcome.failures[0].index, 14u);
  EXPECT_EQ(outcome.failures[2].index, 28u);
  EXPECT_EQ(outcome.records, 9u);
  EXPECT_EQ(outcome.duplicates, 8u);
  std::string text = read_text(dir / "kernels-00002.jsonl");
  EXPECT_EQ(text.substr(0, text.find('\n')), "{\"index\":10}");  // the lowest index of id1 is kept
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 9);
}

TEST(ShardAssembler, AnUnfinishedShardLeavesNothingBehind) {
  fs::path dir = fresh_dir("unfinished");
  for (auto format : {ShardFormat::kJsonl, ShardFormat::kJsonlZstd, ShardFormat::kJson}) {
    ShardAssembler assembler(dir.string(), {0, 10, 30}, format);
    auto all = samples();
    for (size_t k = 0; k + 1 < all.size(); ++k) assembler.add(std::move(all[k]));
    EXPECT_FALSE(assembler.complete());
    EXPECT_THROW(assembler.commit(), std::logic_error);
    EXPECT_THROW(assembler.add(samples()[0]), std::logic_error);  // index 10 again
  }
  EXPECT_TRUE(fs::is_empty(dir));
}

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "dataset/shard_files.h"
#include "run/manifest.h"
#include "test_files.h"

namespace fs = std::filesystem;
using namespace warpsynth;
using warpsynth::testing::fresh_dir;

namespace {

std::vector<std::string> read_back(const fs::path& dir) {
  std::vector<std::string> lines;
  for_each_record(dir.string(), [&](const std::string&, const std::string& line) { lines.push_back(line); });
  return lines;
}

// A whole shard at once: records (index, line) in the order given.
void write_shard(const fs::path& dir, int id, ShardFormat format,
                 const std::vector<std::pair<std::uint64_t, std::string>>& records) {
  ShardWriter writer(dir.string(), id, format);
  for (const auto& [index, json] : records) writer.add(index, json);
  writer.commit();
}

}  // namespace

TEST(Shards, PlanCoversEveryIndexOnce) {
  auto shards = plan_shards(2500, 1000);
  ASSERT_EQ(shards.size(), 3u);
  EXPECT_EQ(shards[0].begin, 0u);
  EXPECT_EQ(shards[1].end, 2000u);
  EXPECT_EQ(shards[2].end, 2500u);
  EXPECT_TRUE(plan_shards(0, 10).empty());
  EXPECT_EQ(plan_shards(10, 10).size(), 1u);
}

TEST(Shards, EveryFormatReadsBackTheSameRecordsInOrder) {
  std::vector<std::pair<std::uint64_t, std::string>> first = {{0, R"({"id":"a"})"}, {1, R"({"id":"b"})"}};
  std::vector<std::pair<std::uint64_t, std::string>> second = {{2, R"({"id":"c"})"}};
  for (auto format : {ShardFormat::kJsonl, ShardFormat::kJsonlZstd, ShardFormat::kJson}) {
    fs::path dir = fresh_dir(shard_format_name(format) == "jsonl.zst" ? "zst" : shard_format_name(format));
    write_shard(dir, 1, format, second);  // written out of order
    write_shard(dir, 0, format, first);
    EXPECT_EQ(read_back(dir), (std::vector<std::string>{R"({"id":"a"})", R"({"id":"b"})", R"({"id":"c"})"}))
        << shard_format_name(format);
    EXPECT_TRUE(fs::exists(dir / shard_file_name(0, format)));
  }
  EXPECT_EQ(shard_file_name(3, ShardFormat::kJsonlZstd), "kernels-00003.jsonl.zst");
  EXPECT_THROW(parse_shard_format("parquet"), std::invalid_argument);
}

TEST(Shards, ACompressedShardCutShortIsAnErrorNotFewerRecords) {
  // seen while writing fuzz/fuzz_shard_reader.cpp: a .zst shard cut inside its frame read back as
  // the records before the cut, without a word
  fs::path dir = fresh_dir("zst-cut");
  std::vector<std::pair<std::uint64_t, std::string>> records;
  for (std::uint64_t i = 0; i < 200; ++i) records.emplace_back(i, R"({"id":")" + std::to_string(i * 7919) + R"("})");
  write_shard(dir, 0, ShardFormat::kJsonlZstd, records);
  const fs::path shard = dir / shard_file_name(0, ShardFormat::kJsonlZstd);
  EXPECT_EQ(read_back(dir).size(), 200u);
  fs::resize_file(shard, fs::file_size(shard) - 3);
  try {
    read_back(dir);
    FAIL() << "a truncated shard was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("ends early (truncated)"), std::string::npos) << e.what();
  }
}

TEST(Shards, StaleTemporariesAreRemovedAndNeverRead) {
  fs::path dir = fresh_dir("stale");
  std::ofstream(dir / "kernels-00000.jsonl.tmp-999") << "{\"half\":";
  fs::create_directories(dir / "kernels-00001.tmp-999");
  EXPECT_TRUE(read_back(dir).empty());
  remove_stale_temporaries(dir.string());
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST(Manifest, RoundTripsAndNamesWhatDiffers) {
  fs::path dir = fresh_dir("manifest");
  Manifest m;
  m.run = {7, 100, 10, "abc", "codegen", "jsonl", "1.19.0", "0.1.0"};
  ShardOutcome s;
  s.samples = 10;
  s.records = 8;
  s.duplicates = 1;
  s.failures_by_stage["crash"] = 1;
  s.failures.push_back({3, "map", "crash", "worker died"});
  s.verify["cpu_run"].add("ok");
  s.verify["cpu_run"].add("skipped: argument mesh is a handle");
  m.shards[2] = s;
  m.save((dir / "manifest.json").string());
  auto loaded = Manifest::load((dir / "manifest.json").string());
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->to_json(), m.to_json());
  EXPECT_TRUE(m.run.differences(loaded->run).empty());
  RunIdentity other = m.run;
  other.seed = 8;
  other.config_hash = "def";
  auto diff = other.differences(m.run);
  ASSERT_EQ(diff.size(), 2u);
  EXPECT_EQ(diff[0], "seed 8 here, 7 in the folder");
  EXPECT_FALSE(Manifest::load((dir / "none.json").string()));
  std::ofstream(dir / "bad.json") << "{}";
  EXPECT_THROW(Manifest::load((dir / "bad.json").string()), std::runtime_error);
}

TEST(Manifest, CountsEachLevelsVerdictsWithReasonsWithoutTheLaunchSize) {
  LevelCounts a;
  a.add("ok");
  a.add("failed: non-finite output y (launch 64)");
  a.add("failed: non-finite output y (launch 37)");
  a.add("skipped: no single kernel to run");
  EXPECT_EQ(a.ok, 1u);
  EXPECT_EQ(a.failed, 2u);
  EXPECT_EQ(a.skipped, 1u);
  EXPECT_EQ(a.reasons.at("failed: non-finite output y"), 2u);
  LevelCounts b;
  b.add("failed: non-finite output y (launch 5)");
  a.merge(b);
  EXPECT_EQ(a.failed, 3u);
  EXPECT_EQ(a.reasons.at("failed: non-finite output y"), 3u);
  EXPECT_EQ(LevelCounts::from_json(a.to_json()).to_json(), a.to_json());
  // A manifest written before per-level counts still loads.
  nlohmann::json old = {{"samples", 1}, {"records", 1}, {"duplicates", 0}, {"failures_by_stage", nlohmann::json::object()},
                        {"failures", nlohmann::json::array()}};
  EXPECT_TRUE(ShardOutcome::from_json(old).verify.empty());
}

TEST(Shards, LinesLongerThanAReadPieceAndAcrossPiecesReadBackWhole) {
  // Files are read a piece (1 MiB) at a time: lines cut by a piece's end, lines longer than a piece,
  // blank lines and a last line without a newline must read back as written.
  const std::string long_line = R"({"id":")" + std::string(3 * 1024 * 1024 + 17, 'x') + R"("})";
  std::vector<std::pair<std::uint64_t, std::string>> records;
  for (std::uint64_t i = 0; i < 40; ++i) {
    records.emplace_back(i, i % 13 == 5 ? long_line : R"({"id":")" + std::string(40000 + i * 997, 'a' + i % 26) + R"("})");
  }
  std::vector<std::string> expected;
  for (const auto& [index, line] : records) expected.push_back(line);
  for (auto format : {ShardFormat::kJsonl, ShardFormat::kJsonlZstd}) {
    fs::path dir = fresh_dir(format == ShardFormat::kJsonl ? "long-jsonl" : "long-zst");
    write_shard(dir, 0, format, records);
    EXPECT_EQ(read_back(dir), expected) << shard_format_name(format);
  }
  fs::path dir = fresh_dir("long-plain");
  std::ofstream(dir / "kernels.jsonl", std::ios::binary) << "\n\n" << long_line << "\n\n{\"id\":\"last\"}";
  EXPECT_EQ(read_back(dir), (std::vector<std::string>{long_line, R"({"id":"last"})"}));
}

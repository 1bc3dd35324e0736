#include "util/atomic_file.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "test_files.h"

namespace fs = std::filesystem;
using warpsynth::AtomicFile;
using warpsynth::testing::fresh_dir;
using warpsynth::testing::read_text;

TEST(AtomicFile, AppearsOnlyOnCommit) {
  fs::path dir = fresh_dir("commit");
  fs::path target = dir / "out.jsonl";
  {
    AtomicFile file(target.string());
    file.stream() << "line\n";
    EXPECT_FALSE(fs::exists(target));
    EXPECT_TRUE(fs::exists(file.temp_path()));
    file.commit();
  }
  EXPECT_EQ(read_text(target), "line\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(AtomicFile, UncommittedLeavesNothingAndKeepsOldFile) {
  fs::path dir = fresh_dir("abort");
  fs::path target = dir / "out.jsonl";
  std::ofstream(target) << "old\n";
  {
    AtomicFile file(target.string());
    file.stream() << "half";
  }
  EXPECT_EQ(read_text(target), "old\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(AtomicFile, UnwritableFolderThrows) {
  EXPECT_THROW(AtomicFile("/nonexistent-folder/x/out.jsonl"), std::runtime_error);
}

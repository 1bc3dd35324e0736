#include "util/atomic_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace fs = std::filesystem;
using warpsynth::AtomicFile;

namespace {

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("warpsynth_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

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
  EXPECT_EQ(read(target), "line\n");
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
  EXPECT_EQ(read(target), "old\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(AtomicFile, UnwritableFolderThrows) {
  EXPECT_THROW(AtomicFile("/nonexistent-folder/x/out.jsonl"), std::runtime_error);
}

#include "dataset_build/record_spool.h"

#include <sys/resource.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_files.h"

namespace fs = std::filesystem;
using warpsynth::RecordSpool;
using warpsynth::SpooledLine;
using warpsynth::testing::fresh_dir;

TEST(RecordSpool, GivesBackEachLineInAnyOrderAndIsRemovedAtTheEnd) {
  fs::path path = fresh_dir("spool") / "records.spool";
  {
    RecordSpool spool(path);
    std::vector<std::string> lines = {"{\"a\":1}", "", std::string(100000, 'x') + "\xc3\xa9", "last"};
    std::vector<SpooledLine> places;
    for (const auto& line : lines) places.push_back(spool.append(line));
    for (std::size_t i = lines.size(); i-- > 0;) EXPECT_EQ(spool.read(places[i]), lines[i]) << i;
    EXPECT_EQ(places[3].offset, 7u + 0u + 100002u);
    EXPECT_TRUE(fs::exists(path));
  }
  EXPECT_FALSE(fs::exists(path));
}

// In a child: a file size limit of 4 KB stands in for a full disk (EFBIG instead of ENOSPC). Exits
// 3 when the second append throws naming the file.
[[noreturn]] void append_past_a_size_limit(const fs::path& path) {
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit limit{4096, 4096};
  setrlimit(RLIMIT_FSIZE, &limit);
  RecordSpool spool(path);
  spool.append(std::string(3000, 'a'));
  try {
    spool.append(std::string(3000, 'b'));
  } catch (const std::runtime_error& e) {
    std::exit(std::string(e.what()).find("cannot write " + path.string()) == 0 ? 3 : 4);
  }
  std::exit(5);
}

TEST(RecordSpool, AWriteErrorIsThrownNamingTheFile) {
  fs::path path = fresh_dir("spool-full") / "records.spool";
  EXPECT_EXIT(append_past_a_size_limit(path), ::testing::ExitedWithCode(3), "");
}

TEST(RecordSpool, AFolderThatCannotHoldItIsNamed) {
  try {
    RecordSpool spool("/nonexistent-folder/records.spool");
    FAIL() << "made a spool in a missing folder";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot make /nonexistent-folder/records.spool"), std::string::npos) << e.what();
  }
}

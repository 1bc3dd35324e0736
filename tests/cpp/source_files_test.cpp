#include "extract/source_files.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace fs = std::filesystem;
using namespace warpsynth;

TEST(SourceFiles, WalksFoldersSortedAndSkipsCachesAndHidden) {
  fs::path root = fs::temp_directory_path() / ("warpsynth_src_" + std::to_string(::getpid())) / "pkg";
  fs::remove_all(root.parent_path());
  fs::create_directories(root / "sub");
  fs::create_directories(root / "__pycache__");
  fs::create_directories(root / ".hidden");
  for (auto p : {"b.py", "a.py", "sub/c.py", "__pycache__/x.py", ".hidden/y.py", "notes.txt"}) {
    std::ofstream(root / p) << "\n";
  }
  auto list = collect_sources({root.string(), (root / "a.py").string(), (root / "missing.py").string(),
                               (root / "notes.txt").string()});
  std::vector<std::string> labels;
  for (const auto& f : list.files) labels.push_back(f.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"pkg/a.py", "pkg/b.py", "pkg/sub/c.py"}));  // a.py once
  ASSERT_EQ(list.problems.size(), 2u);
  EXPECT_EQ(list.problems[0].message, "no such file or directory");
  EXPECT_NE(list.problems[1].message.find("not a Python file"), std::string::npos);
  EXPECT_FALSE(list.files[0].named_explicitly);

  auto single = collect_sources({(root / "sub" / "c.py").string()});
  ASSERT_EQ(single.files.size(), 1u);
  EXPECT_EQ(single.files[0].label, "c.py");
  EXPECT_TRUE(single.files[0].named_explicitly);
  EXPECT_TRUE(fs::path(single.files[0].path).is_absolute());
}

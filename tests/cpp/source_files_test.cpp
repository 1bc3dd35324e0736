#include "extract/source_files.h"

#include <filesystem>
#include <fstream>

#include <sys/wait.h>
#include <unistd.h>

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

// issue 13: an unreadable subfolder was skipped in silence. Permissions do not stop root, so the
// walk runs in a child process that drops to the user `nobody` when the test runs as root.
TEST(SourceFiles, AnUnreadableSubfolderIsAProblemNamedByItsLabelAndTheRestIsWalked) {
  fs::path top = fs::temp_directory_path() / ("warpsynth_perm_" + std::to_string(::getpid()));
  fs::path root = top / "pkg";
  fs::remove_all(top);
  fs::create_directories(root / "locked");
  fs::create_directories(root / "open");
  for (auto p : {"a.py", "locked/hidden.py", "open/b.py"}) std::ofstream(root / p) << "\n";
  fs::permissions(top, fs::perms::all);
  fs::permissions(root, fs::perms::all);
  fs::permissions(root / "open", fs::perms::all);
  fs::permissions(root / "locked", fs::perms::none);

  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
    auto list = collect_sources({root.string()});
    std::string text;
    for (const auto& f : list.files) text += "file " + f.label + "\n";
    for (const auto& p : list.problems) text += "problem " + p.input + ": " + p.message + "\n";
    [[maybe_unused]] auto n = ::write(pipe_fds[1], text.data(), text.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  fs::permissions(root / "locked", fs::perms::all);
  fs::remove_all(top);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child could not drop to user nobody";
  EXPECT_EQ(text,
            "file pkg/a.py\n"
            "file pkg/open/b.py\n"
            "problem pkg/locked: cannot read folder: Permission denied\n");
}

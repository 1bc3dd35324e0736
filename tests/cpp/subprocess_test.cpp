#include "util/subprocess.h"

#include <gtest/gtest.h>

using warpsynth::SpawnOptions;
using warpsynth::Subprocess;
using namespace std::chrono_literals;

namespace {
Subprocess::Clock::time_point in(std::chrono::milliseconds d) { return Subprocess::Clock::now() + d; }
}  // namespace

TEST(Subprocess, EchoesLinesAndCapturesStderr) {
  Subprocess child({{"sh", "-c", "while read l; do echo \"out:$l\"; echo \"err:$l\" >&2; done"}, {}});
  std::vector<std::string> errors;
  child.set_stderr_sink([&](std::string_view l) { errors.emplace_back(l); });
  ASSERT_TRUE(child.write_all("a\nb\n"));
  std::string line;
  ASSERT_EQ(child.read_line(line, in(5s)), Subprocess::ReadStatus::kLine);
  EXPECT_EQ(line, "out:a");
  ASSERT_EQ(child.read_line(line, in(5s)), Subprocess::ReadStatus::kLine);
  EXPECT_EQ(line, "out:b");
  child.finish(2s);
  EXPECT_EQ(errors, (std::vector<std::string>{"err:a", "err:b"}));
  EXPECT_EQ(child.exit_description(), "exit code 0");
}

TEST(Subprocess, TimesOutOnSilentChild) {
  Subprocess child({{"sleep", "30"}, {}});
  std::string line;
  auto start = Subprocess::Clock::now();
  EXPECT_EQ(child.read_line(line, in(200ms)), Subprocess::ReadStatus::kTimeout);
  EXPECT_LT(Subprocess::Clock::now() - start, 5s);
  child.kill();
  EXPECT_EQ(child.exit_description(), "killed by signal 9 (SIGKILL)");
}

TEST(Subprocess, ReportsCrashAsEof) {
  Subprocess child({{"sh", "-c", "kill -SEGV $$"}, {}});
  std::string line;
  EXPECT_EQ(child.read_line(line, in(5s)), Subprocess::ReadStatus::kEof);
  child.finish(2s);
  EXPECT_EQ(child.exit_description(), "killed by signal 11 (SIGSEGV)");
}

TEST(Subprocess, PassesEnvironmentOverrides) {
  Subprocess child({{"sh", "-c", "echo $WARPSYNTH_TEST_VALUE"}, {{"WARPSYNTH_TEST_VALUE", "42"}}});
  std::string line;
  ASSERT_EQ(child.read_line(line, in(5s)), Subprocess::ReadStatus::kLine);
  EXPECT_EQ(line, "42");
}

TEST(Subprocess, MissingProgramThrows) {
  EXPECT_THROW(Subprocess({{"/nonexistent/program"}, {}}), std::runtime_error);
}

TEST(Subprocess, LargeOutputIsNotLost) {
  // 1 MB on stdout in one line and 1 MB on stderr: neither pipe may stall the other.
  Subprocess child({{"sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x >&2; head -c 1000000 /dev/zero | tr '\\0' y; echo"}, {}});
  size_t err_bytes = 0;
  child.set_stderr_sink([&](std::string_view l) { err_bytes += l.size(); });
  std::string line;
  ASSERT_EQ(child.read_line(line, in(10s)), Subprocess::ReadStatus::kLine);
  EXPECT_EQ(line.size(), 1000000u);
  child.finish(2s);
  EXPECT_EQ(err_bytes, 1000000u);
}

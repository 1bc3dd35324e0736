// Verdicts as records write them (dataset/verdict.h), and which verdicts drop a sample from a run.
#include <gtest/gtest.h>

#include "dataset/verdict.h"
#include "run/manifest.h"

using namespace warpsynth;

TEST(Verdict, ReadsAndWritesTheThreeOutcomesWithTheirReasons) {
  EXPECT_TRUE(Verdict::parse("ok").is_ok());
  Verdict failed = Verdict::parse("failed: non-finite output y (launch 64)");
  EXPECT_TRUE(failed.is_failed());
  EXPECT_EQ(failed.reason, "non-finite output y (launch 64)");
  Verdict skipped = Verdict::parse("skipped: no GPU");
  EXPECT_TRUE(skipped.is_skipped());
  EXPECT_EQ(skipped.reason, "no GPU");
  EXPECT_TRUE(Verdict::parse("skipped").is_skipped());
  EXPECT_EQ(Verdict::parse("skipped").reason, "");
  for (const char* text : {"ok", "failed: x", "skipped: y", "skipped"}) EXPECT_EQ(Verdict::parse(text).text(), text);
  EXPECT_EQ(Verdict::failed("the build raised").text(), "failed: the build raised");
  EXPECT_STREQ(Verdict::skipped("z").outcome_name(), "skipped");
}

TEST(Verdict, ATextThatIsNeitherOkNorSkippedIsAFailure) {
  // A verdict is ok only when it says so: an unknown text never passes.
  for (const char* text : {"", "OK", "okay", "passed", "ok: but"}) {
    EXPECT_TRUE(Verdict::parse(text).is_failed()) << text;
  }
  EXPECT_EQ(Verdict::parse("passed").reason, "passed");
}

TEST(Verdict, AFailureAtABuildOrRunLevelDropsTheSampleAndASkipDoesNot) {
  for (const char* level : {"cpu_compile", "cuda_ptx", "cpu_run", "gpu_run", "grad_check"}) {
    EXPECT_TRUE(verdict_drops_sample(level, "failed: x")) << level;
    EXPECT_FALSE(verdict_drops_sample(level, "skipped: y")) << level;
    EXPECT_FALSE(verdict_drops_sample(level, "ok")) << level;
  }
  // self_contained is a property of extracted records, kept whatever it says
  EXPECT_FALSE(verdict_drops_sample("self_contained", "failed: x"));
}

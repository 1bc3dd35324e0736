// The rules of `warpsynth dataset` that decide what a user keeps (issue 30): each fails here when
// it is weakened.
#include <map>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "dataset_build/selection.h"

using namespace warpsynth;

namespace {

InputRecord record(const std::string& id, int verified_ok) {
  InputRecord r;
  r.id = id;
  r.verified_ok = verified_ok;
  return r;
}

}  // namespace

TEST(DatasetSelection, OfEqualRecordsTheMostVerifiedThenTheFirstReadIsKept) {
  // "b" read three times: at codegen (1 ok), after `verify --level run` (3 ok), at codegen again.
  std::vector<InputRecord> records = {record("b", 1), record("a", 2), record("b", 3), record("c", 1),
                                      record("b", 1), record("c", 1)};
  EXPECT_EQ(exact_dedup(records), (std::vector<std::size_t>{1, 2, 3}));  // a; b's verified copy; c's first
}

TEST(DatasetSelection, AClusterIsRepresentedByItsMostVerifiedMemberThenItsSmallestId) {
  std::vector<InputRecord> records = {record("a", 1), record("b", 1), record("c", 4), record("d", 4)};
  std::vector<std::size_t> kept = {0, 1, 2, 3};
  EXPECT_EQ(cluster_representative({0, 1, 2, 3}, kept, records), 2u);
  EXPECT_EQ(cluster_representative({0, 1}, kept, records), 0u);
}

TEST(DatasetSelection, SplitsTakeTheirFractionsOfGroupsAndAGroupAlwaysTheSameSplit) {
  const std::vector<double> fractions = {0.8, 0.15, 0.05};
  std::vector<int> counts(3, 0);
  const int groups = 20000;
  for (int g = 0; g < groups; ++g) counts[split_of(fmt::format("group-{}", g), fractions)] += 1;
  for (std::size_t s = 0; s < fractions.size(); ++s) {
    EXPECT_NEAR(counts[s] / double(groups), fractions[s], 0.01) << "split " << s;
  }
  EXPECT_EQ(split_of("group-7", fractions), split_of("group-7", fractions));
  EXPECT_EQ(split_of("any", {1.0}), 0u);
  EXPECT_EQ(split_of("any", {0.0, 0.0, 1.0}), 2u);
}

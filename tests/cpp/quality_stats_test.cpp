// The sums of meta.quality over a dataset and the comparison with a reference.
#include "stats/quality_stats.h"

#include <sstream>

#include <gtest/gtest.h>

using namespace warpsynth;

namespace {

protocol::QualityMeasures measures(const char* json) {
  return protocol::QualityMeasures::from_json(nlohmann::json::parse(json));
}

}  // namespace

TEST(QualityStats, JensenShannonIsZeroForEqualShapesAndOneForDisjointOnes) {
  EXPECT_DOUBLE_EQ(jensen_shannon({{"sin", 2}, {"tid", 4}}, {{"sin", 1}, {"tid", 2}}), 0.0);
  EXPECT_DOUBLE_EQ(jensen_shannon({{"sin", 3}}, {{"cos", 5}}), 1.0);
  double half = jensen_shannon({{"sin", 1}, {"cos", 1}}, {{"sin", 1}});
  EXPECT_GT(half, 0.0);
  EXPECT_LT(half, 1.0);
  EXPECT_NEAR(half, 0.3113, 1e-4);  // 1.5 - 0.75 log2(3), worked by hand
}

TEST(QualityStats, SumsCountsAndFlagsAndRoundTripsThroughJson) {
  QualityStats q;
  q.add(measures(R"({"assignments": 4, "dead_assignments": 1, "docstring_or_comment": true,
                      "stores_depend_on_args": true, "calls": {"tid": 1, "sin": 2}})"),
        50);
  q.add(measures(R"({"assignments": 6, "dead_assignments": 0, "docstring_or_comment": false,
                      "stores_depend_on_args": true, "calls": {"tid": 1}})"),
        70);
  q.finish();
  auto m = q.measures();
  EXPECT_EQ(m["kernels"], 2);
  EXPECT_DOUBLE_EQ(m["dead_assignment_share"].get<double>(), 0.1);
  EXPECT_DOUBLE_EQ(m["kernels_with_dead_assignment"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(m["kernels_with_docstring_or_comment"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(m["kernels_storing_argument_values"].get<double>(), 1.0);
  EXPECT_EQ(q.calls.at("tid"), 2u);
  QualityStats back = QualityStats::from_json(q.to_json());
  EXPECT_EQ(back.measures().dump(), m.dump());
  EXPECT_EQ(back.calls, q.calls);
  std::ostringstream out;
  q.print_against(out, back);
  EXPECT_NE(out.str().find("Jensen-Shannon divergence of wp.* call histograms      0.0000"), std::string::npos) << out.str();
}

TEST(QualityStats, RejectsMeasuresOfTheWrongKind) {
  QualityStats q;
  EXPECT_THROW(measures(R"({"assignments": "many"})"), std::invalid_argument);
  EXPECT_THROW(measures(R"({"calls": [1]})"), std::invalid_argument);
  EXPECT_THROW(measures(R"({"calls": {"tid": -1}})"), std::invalid_argument);
  EXPECT_THROW(QualityStats::from_json(nlohmann::json::parse(R"({"kernels": 1})")), std::runtime_error);
}

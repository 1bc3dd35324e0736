// Generator config values are checked by kind (issue 13): probabilities in [0, 1], weights finite
// and >= 0 with a positive sum where drawn.
#include "generator/config.h"

#include <limits>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

using namespace warpsynth;

namespace {

std::string error_of(const nlohmann::json& overrides) {
  try {
    generator::GeneratorConfig::from_json(overrides);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(GeneratorConfigValues, TheDefaultsAreValid) { EXPECT_NO_THROW(generator::validate_values(generator::GeneratorConfig::defaults())); }

TEST(GeneratorConfigValues, ProbabilitiesOutsideZeroToOneAreRefused) {
  EXPECT_EQ(error_of({{"p_elif", 7.5}}), "config 'p_elif' is 7.5: a probability must be in [0, 1]");
  EXPECT_EQ(error_of({{"p_else", -1}}), "config 'p_else' is -1: a probability must be in [0, 1]");
  EXPECT_EQ(error_of({{"template_options", {{"map.second_input", 2}}}}),
            "config template_options 'map.second_input' is 2: a probability must be in [0, 1]");
  EXPECT_EQ(error_of({{"p_elif", 1.0}, {"p_else", 0.0}}), "");
}

TEST(GeneratorConfigValues, WeightsMustBeFiniteNonNegativeAndNotAllZero) {
  nlohmann::json zero;
  for (const auto& [name, w] : generator::GeneratorConfig::defaults().templates) zero[name] = 0.0;
  EXPECT_EQ(error_of({{"templates", zero}}), "config templates: the weights sum to 0; at least one must be above 0");
  EXPECT_EQ(error_of({{"templates", {{"map", -1}}}}), "config templates 'map' is -1: a weight must be finite, >= 0 and at most 1e12");
  EXPECT_EQ(error_of({{"statements", {{"if", 1e308}}}}),
            "config statements 'if' is 1e+308: a weight must be finite, >= 0 and at most 1e12");
  EXPECT_EQ(error_of({{"w_leaf_literal", -0.5}}), "config 'w_leaf_literal' is -0.5: a weight must be finite and >= 0");
  zero["stencil"] = 1.0;
  EXPECT_EQ(error_of({{"templates", zero}}), "");  // one template alone is a choice
}

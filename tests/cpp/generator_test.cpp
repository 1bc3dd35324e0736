// Property tests of the generator over many seeds, against the catalog of the pinned Warp.
#include "generator/generator.h"

#include <set>

#include <gtest/gtest.h>

#include "dataset/normalize.h"
#include "generator/rng.h"
#include "model/type_checker.h"

using namespace warpsynth;

namespace {

const catalog::Catalog& test_catalog() {
  static const catalog::Catalog catalog = catalog::Catalog::load(WARPSYNTH_TEST_CATALOG);
  return catalog;
}

const generator::Generator& default_generator() {
  static const generator::Generator g(test_catalog(), generator::GeneratorConfig::defaults());
  return g;
}

}  // namespace

TEST(Generator, EveryProgramPassesTheTypeChecker) {
  constexpr int kSeeds = 3000;
  int failures = 0;
  for (int i = 0; i < kSeeds; ++i) {
    auto kernel = default_generator().generate(generator::sample_seed(7, i));
    auto errors = model::check_program(kernel.program, test_catalog());
    if (!errors.empty() && ++failures <= 5) {
      ADD_FAILURE() << "seed index " << i << " (" << kernel.template_name << "): " << errors[0].where << ": "
                    << errors[0].message << "\n" << kernel.python;
    }
  }
  EXPECT_EQ(failures, 0);
}

TEST(Generator, SameSeedSameBytes) {
  for (int i = 0; i < 200; ++i) {
    std::uint64_t seed = generator::sample_seed(42, i);
    EXPECT_EQ(default_generator().generate(seed).python, default_generator().generate(seed).python);
  }
  // A generator built separately (as another process would) agrees too.
  generator::Generator other(test_catalog(), generator::GeneratorConfig::defaults());
  EXPECT_EQ(other.generate(99).python, default_generator().generate(99).python);
}

TEST(Generator, EveryTemplateIsUsedAndSourcesAreDistinct) {
  std::set<std::string> templates, sources;
  constexpr int kCount = 2000;
  for (int i = 0; i < kCount; ++i) {
    auto kernel = default_generator().generate(generator::sample_seed(3, i));
    templates.insert(kernel.template_name);
    sources.insert(normalize_python(kernel.python));
  }
  EXPECT_EQ(templates.size(), 20u);
  EXPECT_GE(sources.size(), kCount * 99 / 100);
}

// Variants of real kernels (generate --from): the tokenizer they edit through, each edit alone,
// and what a whole variant keeps (issue 26, part 4).
#include "generator/variants/variant_maker.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "dedup/shingles.h"
#include "generator/config.h"
#include "generator/variants/other_names.h"
#include "generator/variants/python_source.h"

using namespace warpsynth::generator;
using namespace warpsynth::generator::variants;

namespace {

const char* kSprings = R"(import warp as wp


@wp.func
def spring_force(xi: wp.vec3, xj: wp.vec3, rest: float, stiffness: float):
    """Hooke's force on xi: `stiffness` times the stretch past `rest`."""
    delta = xi - xj
    dist = wp.length(delta)
    return delta / dist * (stiffness * (dist - rest))


@wp.kernel
def eval_springs(
    positions: wp.array[wp.vec3],
    indices: wp.array[int],
    rest_lengths: wp.array[float],
    stiffness: float,
    forces: wp.array[wp.vec3],
):
    # one spring per thread; positions and forces indexed by its two ends
    tid = wp.tid()
    i = indices[tid * 2 + 0]
    j = indices[tid * 2 + 1]
    damping = 0.01
    gravity = 9.81
    f = spring_force(positions[i], positions[j], rest_lengths[tid], stiffness)
    for k in range(3):
        f[k] = f[k] - damping * gravity
    wp.atomic_sub(forces, i, f)
    wp.atomic_add(forces, j, f)
)";

VariantPolicy every_edit() {
  VariantPolicy p;
  p.p_rename = p.p_tune_constant = p.p_reorder = p.p_loop_form = 1.0;
  p.p_swap_builtin = 0.0;
  return p;
}

std::set<std::string> names_in(const std::string& python) {
  PythonSource src(python);
  std::set<std::string> out;
  for (std::size_t t = 0; t < src.tokens().size(); ++t) {  // names, not attributes
    if (src.tokens()[t].kind == TokenKind::kName && !(t > 0 && src.spelling(t - 1) == ".")) out.emplace(src.spelling(t));
  }
  return out;
}

}  // namespace

TEST(PythonSource, TokensKeepStringsCommentsAndJoinedLinesWhole) {
  PythonSource src("x = f(1,\n      'a # b')  # note\ns = \"\"\"one\ntwo\"\"\"\ny = 1.5e-3 + \\\n    2\n");
  std::vector<std::string> strings, comments, numbers;
  for (const auto& t : src.tokens()) {
    if (t.kind == TokenKind::kString) strings.emplace_back(src.spelling(t));
    if (t.kind == TokenKind::kComment) comments.emplace_back(src.spelling(t));
    if (t.kind == TokenKind::kNumber) numbers.emplace_back(src.spelling(t));
  }
  EXPECT_EQ(strings, (std::vector<std::string>{"'a # b'", "\"\"\"one\ntwo\"\"\""}));
  EXPECT_EQ(comments, (std::vector<std::string>{"# note"}));
  EXPECT_EQ(numbers, (std::vector<std::string>{"1", "1.5e-3", "2"}));
  ASSERT_EQ(src.logical_lines().size(), 3u);  // brackets and a backslash join physical lines
  EXPECT_THROW(PythonSource("x = (1,\n"), SourceError);
  EXPECT_THROW(PythonSource("s = 'open\n"), SourceError);
}

TEST(PythonSource, FunctionsHaveTheirDecoratorsAndBodies) {
  PythonSource src(kSprings);
  ASSERT_EQ(src.functions().size(), 2u);
  EXPECT_EQ(src.functions()[0].name, "spring_force");
  EXPECT_EQ(src.functions()[0].decorators, (std::vector<std::string>{"wp.func"}));
  EXPECT_EQ(src.functions()[1].name, "eval_springs");
  EXPECT_EQ(src.functions()[1].decorators, (std::vector<std::string>{"wp.kernel"}));
  EXPECT_EQ(src.functions()[1].end_line, src.logical_lines().size());
  EXPECT_EQ(builtins_called(kSprings), (std::vector<std::string>{"atomic_add", "atomic_sub", "length", "tid"}));
}

TEST(OtherNames, OneLetterNamesChangeOnlyAsCountersAndTheThreadIndexByItsRole) {
  EXPECT_TRUE(other_names("c", NameRole::kOther).empty());  // a center? a constraint? a color?
  EXPECT_EQ(other_names("i", NameRole::kLoopCounter), (std::vector<std::string>{"j", "k"}));
  const auto tid = other_names("tid", NameRole::kThreadIndex);
  EXPECT_NE(std::find(tid.begin(), tid.end(), "i"), tid.end());
  const auto vel = other_names("vel", NameRole::kOther);
  EXPECT_NE(std::find(vel.begin(), vel.end(), "velocity"), vel.end());
  EXPECT_EQ(other_spellings_of_part("idx"), (std::vector<std::string>{"index"}));
}

TEST(Variant, RenamesAreConsistentAndReachCommentsButNotAttributesOrKeywords) {
  const std::string python = R"(import warp as wp


@wp.func
def helper(vel: wp.vec3, scale: float):
    return vel * scale


@wp.kernel
def move(vel: wp.array[wp.vec3], out: wp.array[wp.vec3]):
    # scale each vel by two
    tid = wp.tid()
    out[tid] = helper(vel=vel[tid], scale=2.0) + wp.vec3(vel[tid].x, 0.0, 0.0)
)";
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    Rng rng(seed);
    VariantPolicy policy = every_edit();
    policy.max_parent_jaccard = 1.0;
    auto v = make_variant(python, "move", rng, policy, BuiltinSwaps());
    ASSERT_TRUE(v) << seed;
    // `vel` is passed by keyword to helper: no function may rename it; `.x` is an attribute.
    EXPECT_NE(v->python.find("helper(vel="), std::string::npos) << v->python;
    EXPECT_NE(v->python.find("def helper(vel: wp.vec3"), std::string::npos) << v->python;
    EXPECT_NE(v->python.find("].x"), std::string::npos);
    // The thread index is renamed at every use, and the kernel keeps its name.
    EXPECT_EQ(names_in(v->python).count("tid"), 0u) << v->python;
    EXPECT_NE(v->python.find("def move("), std::string::npos);
  }
}

TEST(Variant, ParametersOfNativeFunctionsAndOverloadedKernelsKeepTheirNames) {
  const std::string native = R"(import warp as wp


@wp.func_native("out[0] = values[0];")
def copy_first(values: wp.array[float], out: wp.array[float]):
    ...


@wp.kernel
def k(values: wp.array[float], out: wp.array[float]):
    tid = wp.tid()
    copy_first(values, out)
)";
  const std::string overloaded = R"(import warp as wp


@wp.kernel
def k(values: wp.array[float], out: wp.array[float]):
    tid = wp.tid()
    out[tid] = values[tid]


wp.overload(k, {'values': wp.array(dtype=float), 'out': wp.array(dtype=float)})
)";
  for (const std::string& python : {native, overloaded}) {
    Rng rng(1);
    VariantPolicy policy = every_edit();
    policy.max_parent_jaccard = 1.0;
    auto v = make_variant(python, "k", rng, policy, BuiltinSwaps());
    ASSERT_TRUE(v);
    EXPECT_NE(v->python.find("def k(values: wp.array[float], out: wp.array[float])"), std::string::npos) << v->python;
    EXPECT_EQ(names_in(v->python).count("tid"), 0u) << v->python;  // locals still change
  }
}

TEST(Variant, OnlyRoundConstantsAreTunedAndOnlyIndependentStatementsSwap) {
  std::set<std::string> damping_values;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    Rng rng(seed);
    auto v = make_variant(kSprings, "eval_springs", rng, every_edit(), BuiltinSwaps());
    ASSERT_TRUE(v);
    EXPECT_NE(v->python.find("9.81"), std::string::npos) << "a constant of nature changed:\n" << v->python;
    for (const std::string& edit : v->edits) {
      if (edit.rfind("constant 0.01 -> ", 0) == 0) damping_values.insert(edit.substr(17, edit.find(' ', 17) - 17));
      // The only independent adjacent assignments: the two ends (i, j) and the two constants.
      if (edit.rfind("reorder", 0) == 0) {
        EXPECT_TRUE(edit == "reorder lines 24 and 25" || edit == "reorder lines 26 and 27") << edit;
      }
    }
    EXPECT_LT(v->parent_jaccard, every_edit().max_parent_jaccard);
    EXPECT_DOUBLE_EQ(v->parent_jaccard, warpsynth::dedup::jaccard(warpsynth::dedup::shingle_hashes(kSprings),
                                                                 warpsynth::dedup::shingle_hashes(v->python)));
  }
  // 0.01 moves to round neighbours, written as decimals.
  for (const std::string& value : damping_values) EXPECT_TRUE(value == "0.005" || value == "0.02" || value == "0.025") << value;
  EXPECT_FALSE(damping_values.empty());
}

TEST(Variant, TheSameSeedGivesTheSameVariantAndATooShortKernelGivesNone) {
  Rng a(5), b(5);
  VariantPolicy policy;
  auto first = make_variant(kSprings, "eval_springs", a, policy, BuiltinSwaps());
  auto second = make_variant(kSprings, "eval_springs", b, policy, BuiltinSwaps());
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->python, second->python);
  EXPECT_EQ(first->edits, second->edits);
  Rng c(5);
  EXPECT_FALSE(make_variant("import warp as wp\n\n\n@wp.kernel\ndef k(a: wp.array[float]):\n    a[0] = 1.0\n", "k", c,
                            policy, BuiltinSwaps()));
}

TEST(VariantConfig, TheSectionIsReadCheckedAndLeavesTheScratchHashAsItWas) {
  const auto defaults = GeneratorConfig::defaults();
  const auto tuned = GeneratorConfig::from_json({{"variants", {{"p_reorder", 0.0}}}});
  EXPECT_EQ(tuned.variants.p_reorder, 0.0);
  EXPECT_EQ(tuned.hash(), defaults.hash());  // kernels from scratch do not depend on it
  EXPECT_THROW(GeneratorConfig::from_json({{"variants", {{"p_nothing", 0.5}}}}), std::runtime_error);
  try {
    GeneratorConfig::from_json({{"variants", {{"p_rename", 1.5}}}});
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "config 'variants.p_rename' is 1.5: a probability must be in [0, 1]");
  }
}

TEST(Variant, ANameAClauseReadsIsNotBoundThere) {
  // `density` comes from the star import: the `if` reads it, binds nothing, and it keeps its name.
  const std::string python = R"(import warp as wp
from physics_constants import *


@wp.kernel
def k(out: wp.array[float]):
    tid = wp.tid()
    if density > 0.0:
        out[tid] = density
)";
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    Rng rng(seed);
    VariantPolicy policy = every_edit();
    policy.max_parent_jaccard = 1.0;
    auto v = make_variant(python, "k", rng, policy, BuiltinSwaps());
    ASSERT_TRUE(v);
    EXPECT_EQ(names_in(v->python).count("density"), 1u) << v->python;
    EXPECT_EQ(names_in(v->python).count("tid"), 0u) << v->python;
  }
}

TEST(Variant, ASpellingConventionIsNeverCrossedAndAmbiguousShortNamesStay) {
  const std::string python = R"(import warp as wp


# a formatter's limit of 120 columns: the longest line a variant may have ---------------------------------------------
@wp.kernel
def k(prev_a: wp.array[float], previous_b: wp.array[float], rho: float, out: wp.array[float]):
    tid = wp.tid()
    out[tid] = (prev_a[tid] - previous_b[tid]) * rho
)";
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    Rng rng(seed);
    VariantPolicy policy = every_edit();
    policy.max_parent_jaccard = 1.0;
    auto v = make_variant(python, "k", rng, policy, BuiltinSwaps());
    ASSERT_TRUE(v);
    const auto names = names_in(v->python);
    EXPECT_FALSE(names.count("previous_a") && names.count("prev_b")) << v->python;  // each took the other's spelling
    EXPECT_EQ(names.count("rho"), 1u) << v->python;  // ADMM's penalty is no density
  }
}

TEST(Variant, OneValuePerConstantParallelLinesInOrderAndNoLineLongerThan120) {
  const std::string python = R"(import warp as wp


@wp.kernel
def k(positions: wp.array[wp.vec3], out: wp.array[float]):
    tid = wp.tid()
    total = float(0.0)
    for a in range(3):
        total += wp.max(positions[tid][a], 0.01)
    for b in range(3):
        total -= wp.min(positions[tid][b], 0.01)
    x = total * 0.1
    y = total + 0.3
    out[tid] = x + y
)";
  int made = 0;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    Rng rng(seed);
    VariantPolicy policy = every_edit();
    policy.max_parent_jaccard = 1.0;
    auto v = make_variant(python, "k", rng, policy, BuiltinSwaps());
    if (!v) continue;  // a draw whose longer names pass the parent's longest line is refused
    ++made;
    EXPECT_LE(longest_line(v->python), 120u);
    // no loop made to start at an explicit 0, both 0.01 the same value, x and y (one letter apart)
    // in their order
    EXPECT_EQ(v->python.find("range(0, "), std::string::npos) << v->python;
    EXPECT_EQ(v->python.find("0.01") == std::string::npos, v->python.find("0.01)") == std::string::npos);
    const std::size_t max_at = v->python.find("wp.max(");
    const std::size_t min_at = v->python.find("wp.min(");
    const std::string after_max = v->python.substr(v->python.find(", ", max_at), 8);
    const std::string after_min = v->python.substr(v->python.find(", ", min_at), 8);
    EXPECT_EQ(after_max, after_min) << v->python;
    EXPECT_LT(v->python.find(" x = "), v->python.find(" y = ")) << v->python;
  }
  EXPECT_GE(made, 20);
}

TEST(Variant, LoopsFromAnExplicitZeroAreAllWrittenAsRealCodeWritesThem) {
  const std::string python = R"(import warp as wp


@wp.kernel
def k(values: wp.array2d[float], out: wp.array[float]):
    tid = wp.tid()
    for a in range(0, 3):
        out[tid] += values[tid, a]
    for b in range(0, 6, 2):
        out[tid] -= values[tid, b]
    for c in range(0, 4):
        out[tid] *= values[tid, c]
)";
  Rng rng(3);
  VariantPolicy policy = every_edit();
  policy.max_parent_jaccard = 1.0;
  auto v = make_variant(python, "k", rng, policy, BuiltinSwaps());
  ASSERT_TRUE(v);
  EXPECT_NE(v->python.find("in range(3):"), std::string::npos) << v->python;
  EXPECT_NE(v->python.find("in range(4):"), std::string::npos) << v->python;
  EXPECT_NE(v->python.find("in range(0, 6, 2):"), std::string::npos) << v->python;  // a step keeps its start
  EXPECT_NE(std::find(v->edits.begin(), v->edits.end(), "range(0, n) -> range(n) on lines 7, 11"), v->edits.end());
}

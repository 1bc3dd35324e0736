// Generated kernels give the same outputs on the CPU and on CUDA, whatever the order threads run
// in: what gpu_run (a GPU's launch compared with the CPU's) found otherwise, checked on the text
// of many generated kernels, independently of the generator's own bookkeeping.
#include <map>
#include <regex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "generator/generator.h"
#include "generator/rng.h"

using namespace warpsynth;

namespace {

const generator::Generator& default_generator() {
  static const catalog::Catalog catalog = catalog::Catalog::load(WARPSYNTH_TEST_CATALOG);
  static const generator::Generator g(catalog, generator::GeneratorConfig::defaults());
  return g;
}

// The kernel's code, from its decorator on, without its doc string (whose words may name an array).
std::string kernel_text(const std::string& python) {
  auto at = python.find("@wp.kernel");
  std::string k = at == std::string::npos ? python : python.substr(at);
  k = std::regex_replace(k, std::regex(R"("""[^"]*""")"), "");
  // An extent (`a.shape[0]`) reads no element: one word, so that `a[wp.clamp(k, 0, a.shape[0] - 1)]`
  // has one pair of brackets.
  return std::regex_replace(k, std::regex(R"(\b\w+\.shape\[\d\])"), "extent");
}

// Each `a[...] +=` (an atomic add in Warp): the array and where the store begins and ends. The
// index may hold brackets and line breaks (black splits long ones), so brackets are balanced.
std::vector<std::tuple<std::string, size_t, size_t>> aug_stores(const std::string& k) {
  std::vector<std::tuple<std::string, size_t, size_t>> out;
  for (size_t at = k.find("] +="); at != std::string::npos; at = k.find("] +=", at + 1)) {
    int depth = 0;
    size_t open = at;
    for (size_t i = at + 1; i-- > 0;) {
      depth += k[i] == ']' ? 1 : k[i] == '[' ? -1 : 0;
      if (depth == 0) {
        open = i;
        break;
      }
    }
    size_t name = open;
    while (name > 0 && (std::isalnum(static_cast<unsigned char>(k[name - 1])) || k[name - 1] == '_')) --name;
    if (name < open) out.emplace_back(k.substr(name, open - name), name, at + 4);
  }
  return out;
}

std::string family(const std::string& op) { return op == "sub" ? "add" : op; }

// What is wrong with one kernel's atomics, or "" when nothing is: every array written by atomics
// takes one kind of them (add/sub, min, max, and, or, xor; the reduction template's fixed slots
// 0 and 1 excepted) and is not read; no exchange or compare-and-swap.
std::string atomic_problem(const std::string& python) {
  const std::string k = kernel_text(python);
  static const std::regex call(R"(wp\.atomic_(\w+)\(\s*(\w+),)");
  std::map<std::string, std::set<std::string>> families;
  for (auto it = std::sregex_iterator(k.begin(), k.end(), call); it != std::sregex_iterator(); ++it) {
    families[(*it)[2]].insert(family((*it)[1]));
  }
  for (const auto& [array, begin, end] : aug_stores(k)) families[array].insert("add");
  for (const auto& [array, kinds] : families) {
    if (kinds.count("exch") || kinds.count("cas")) return array + ": an exchange or compare-and-swap";
    bool reduction_slots = array == "total" && kinds.size() == 2 && kinds.count("add") &&
                           std::regex_search(k, std::regex(R"(wp\.atomic_(min|max)\(total, 1,)"));
    if (kinds.size() > 1 && !reduction_slots) return array + ": atomics of several kinds";
    // Every mention of the array is its parameter, an atomic's target or an `a[...] +=`.
    std::string rest = std::regex_replace(k, std::regex("\\b" + array + R"(: wp\.array)"), "");
    rest = std::regex_replace(rest, std::regex(R"(wp\.atomic_\w+\(\s*)" + array + ","), "");
    auto stores = aug_stores(rest);
    for (auto it = stores.rbegin(); it != stores.rend(); ++it) {
      if (std::get<0>(*it) == array) rest.erase(std::get<1>(*it), std::get<2>(*it) - std::get<1>(*it));
    }
    if (std::regex_search(rest, std::regex("\\b" + array + "\\b"))) return array + ": written by atomics and read";
  }
  return "";
}

}  // namespace

TEST(DeviceIndependence, NoKernelReadsTheLaunchsBlockDim) {
  for (int i = 0; i < 3000; ++i) {
    auto kernel = default_generator().generate(generator::sample_seed(11, i));
    ASSERT_EQ(kernel.python.find("wp.block_dim()"), std::string::npos) << "sample " << i << "\n" << kernel.python;
  }
}

TEST(DeviceIndependence, AtomicsCommuteAndTheirArraysAreWriteOnly) {
  int with_atomics = 0;
  for (int i = 0; i < 3000; ++i) {
    auto kernel = default_generator().generate(generator::sample_seed(11, i));
    with_atomics += kernel.python.find("wp.atomic_") != std::string::npos;
    std::string problem = atomic_problem(kernel.python);
    ASSERT_EQ(problem, "") << "sample " << i << " (" << kernel.template_name << ")\n" << kernel.python;
  }
  EXPECT_GT(with_atomics, 300);  // the check saw atomics
}

TEST(DeviceIndependence, TheCheckFindsWhatGpuRunFound) {
  // Kernels as the generator wrote them before (samples 1008, 64 and 463 of seed 5, reduced).
  EXPECT_EQ(atomic_problem("@wp.kernel\ndef k(bins: wp.array(dtype=float)):\n"
                           "    wp.atomic_min(bins, 0, 1.0)\n    wp.atomic_add(bins, b, 1.0)\n"),
            "bins: atomics of several kinds");
  EXPECT_EQ(atomic_problem("@wp.kernel\ndef k(x: wp.array(dtype=wp.vec3)):\n"
                           "    d = x[ia] - x[ib]\n    wp.atomic_add(x, ib, d)\n"),
            "x: written by atomics and read");
  EXPECT_EQ(atomic_problem("@wp.kernel\ndef k(total: wp.array(dtype=float)):\n"
                           "    wp.atomic_exch(total, 0, v)\n    wp.atomic_add(total, 0, c)\n"),
            "total: an exchange or compare-and-swap");
  EXPECT_EQ(atomic_problem("@wp.kernel\ndef k(total: wp.array(dtype=float)):\n"
                           "    wp.atomic_add(total, 0, c)\n    wp.atomic_max(total, 1, c)\n    total[2] += c\n"),
            "");
}

TEST(DeviceIndependence, FloatsBecomeUnsignedOnlyFromNonNegativeValues) {
  static const std::regex unsigned_of_float(R"(wp\.uint(8|16|32|64)\(([^()\n]|\([^()\n]*\))*\* (8|10|16|100)\.0\))");
  for (int i = 0; i < 3000; ++i) {
    auto kernel = default_generator().generate(generator::sample_seed(11, i));
    ASSERT_FALSE(std::regex_search(kernel.python, unsigned_of_float)) << "sample " << i << "\n" << kernel.python;
  }
}

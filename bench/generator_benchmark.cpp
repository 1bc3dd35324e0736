// Speed of the C++ generator alone (no Warp): kernels per second on one core, from seed to
// printed Python. Run: ./build/warpsynth_bench [--benchmark_out=FILE --benchmark_out_format=json]
#include <benchmark/benchmark.h>

#include "model/catalog.h"
#include "generator/generator.h"
#include "generator/rng.h"
#include "model/type_checker.h"

namespace {

const warpsynth::catalog::Catalog& bench_catalog() {
  static const auto catalog = warpsynth::catalog::Catalog::load(WARPSYNTH_BENCH_CATALOG);
  return catalog;
}

void BM_GenerateKernel(benchmark::State& state) {
  warpsynth::generator::Generator generator(bench_catalog(), warpsynth::generator::GeneratorConfig::defaults());
  std::uint64_t index = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    auto kernel = generator.generate(warpsynth::generator::sample_seed(1, index++));
    bytes += kernel.python.size();
    benchmark::DoNotOptimize(kernel.python.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(index));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_GenerateKernel)->Unit(benchmark::kMicrosecond)->MinTime(2.0);

void BM_GenerateAndTypeCheck(benchmark::State& state) {
  warpsynth::generator::Generator generator(bench_catalog(), warpsynth::generator::GeneratorConfig::defaults());
  std::uint64_t index = 0;
  for (auto _ : state) {
    auto kernel = generator.generate(warpsynth::generator::sample_seed(1, index++));
    auto errors = warpsynth::model::check_program(kernel.program, bench_catalog());
    benchmark::DoNotOptimize(errors.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(index));
}
BENCHMARK(BM_GenerateAndTypeCheck)->Unit(benchmark::kMicrosecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();

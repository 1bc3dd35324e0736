// libFuzzer target: a generator config (--config) is accepted only with values in range, refused
// with std::runtime_error otherwise, and an accepted one survives its own JSON unchanged.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "generator/config.h"

using warpsynth::generator::GeneratorConfig;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  nlohmann::json overrides = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (overrides.is_discarded()) return 0;
  GeneratorConfig config;
  try {
    config = GeneratorConfig::from_json(overrides);
  } catch (const std::runtime_error&) {
    return 0;
  }
  warpsynth::generator::validate_values(config);  // accepted, so in range: throwing here is a finding
  GeneratorConfig again = GeneratorConfig::from_json(nlohmann::json::parse(config.to_json().dump()));
  if (again.hash() != config.hash()) std::abort();
  return 0;
}
